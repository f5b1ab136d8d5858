package io.connguard.drill.workload;

import io.connguard.drill.stack.StarforgeCluster;
import io.connguard.drill.stack.StarforgeCluster.WorkloadSpec;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The simulated StarForge platform: its real database connections follow the simulated cluster. Every 250 ms it
 * reads the Deployments and the ingestion flag from the Kubernetes API and opens or closes sessions so that each
 * Deployment holds {@code replicas x PG_POOL_MAX} connections (application_name = Deployment name, an ordinary
 * LOGIN role). {@code api} sessions create jobs while ingestion is on; {@code etl-worker} sessions claim them;
 * any other Deployment runs a short query.
 *
 * <p>Threads: one reconciler thread owns the session lists; each session runs on its own thread.
 */
public final class Workload implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Workload.class);

    /** The workload's table, created in the target's {@code starforge} database. */
    public static final String SCHEMA_SQL = "CREATE TABLE IF NOT EXISTS jobs (id bigserial PRIMARY KEY, "
            + "created_at timestamptz NOT NULL DEFAULT now(), done_at timestamptz)";

    private final StarforgeCluster cluster;
    private final String jdbcUrl;
    private final String user;
    private final ScheduledExecutorService reconciler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "starforge-reconciler");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Deque<Session>> sessions = new HashMap<>();
    private final AtomicLong refusals = new AtomicLong();
    private final AtomicLong jobsCreated = new AtomicLong();
    private final AtomicLong jobsDone = new AtomicLong();
    private volatile boolean ingestionEnabled = true;
    private volatile Map<String, WorkloadSpec> desired = Map.of();

    public Workload(StarforgeCluster cluster, String jdbcUrl, String user) {
        this.cluster = cluster;
        this.jdbcUrl = jdbcUrl;
        this.user = user;
    }

    public void start() {
        reconciler.scheduleWithFixedDelay(this::reconcile, 0, 250, TimeUnit.MILLISECONDS);
    }

    private void reconcile() {
        try {
            Map<String, WorkloadSpec> specs = cluster.workloads();
            ingestionEnabled = cluster.ingestionEnabled();
            desired = specs;
            for (WorkloadSpec spec : specs.values()) {
                resize(spec.name(), spec.connections());
            }
            for (String name : sessions.keySet()) {
                if (!specs.containsKey(name)) {
                    resize(name, 0);
                }
            }
        } catch (RuntimeException e) {
            // the API being briefly unreachable must not stop the platform: keep the current sessions
            LOG.warnf("cannot read the cluster: %s", e.getMessage());
        }
    }

    private void resize(String name, int wanted) {
        Deque<Session> pool = sessions.computeIfAbsent(name, n -> new ArrayDeque<>());
        while (pool.size() < wanted) {
            Session session = new Session(name + "-" + pool.size(), jdbcUrl, user, name, workOf(name), refusals);
            pool.addLast(session);
            session.start();
        }
        while (pool.size() > wanted) {
            pool.removeLast().stop();
        }
    }

    private Session.Work workOf(String name) {
        if (StarforgeCluster.API.equals(name)) {
            return statement -> {
                if (ingestionEnabled) {
                    statement.executeUpdate("INSERT INTO jobs DEFAULT VALUES");
                    jobsCreated.incrementAndGet();
                } else {
                    statement.execute("SELECT 1");
                }
            };
        }
        if (StarforgeCluster.ETL_WORKER.equals(name)) {
            return statement -> {
                int claimed = statement.executeUpdate("UPDATE jobs SET done_at = now() WHERE id = (SELECT id FROM jobs"
                        + " WHERE done_at IS NULL ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)");
                jobsDone.addAndGet(claimed);
            };
        }
        return statement -> statement.execute("SELECT 1");
    }

    /** Connections the cluster asks for, by Deployment. */
    public Map<String, WorkloadSpec> desired() {
        return desired;
    }

    public boolean ingestionEnabled() {
        return ingestionEnabled;
    }

    /** Connection attempts the server refused with "too many clients" so far. */
    public long refusals() {
        return refusals.get();
    }

    public long jobsCreated() {
        return jobsCreated.get();
    }

    public long jobsDone() {
        return jobsDone.get();
    }

    @Override
    public void close() {
        reconciler.shutdownNow();
        try {
            reconciler.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sessions.values().forEach(pool -> pool.forEach(Session::stop));
        sessions.clear();
    }
}
