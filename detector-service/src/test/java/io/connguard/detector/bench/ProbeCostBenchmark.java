package io.connguard.detector.bench;

import io.connguard.detector.config.DetectorConfig;
import io.connguard.detector.probe.PgProbe;
import io.connguard.detector.probe.ProbeSample;
import io.connguard.infra.postgres.LocalPostgresCluster;
import io.connguard.infra.postgres.PostgresOptions;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.pgclient.PgConnectOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Probe cost at 100, 500 and 1000 client backends: the detector's full sample (one prepared statement) next to the
 * floor, a bare {@code SELECT count(*) FROM pg_stat_activity} over the same kind of connection, in the same run. Each
 * level has 20 sessions idle in a transaction and a lock chain (one holder, 5 waiters), so pg_blocking_pids() runs.
 *
 * <pre>./mvnw -o -pl detector-service test -Dgroups=benchmark -Ddetector.excluded-groups=none -Dtest=ProbeCostBenchmark</pre>
 */
@Tag("benchmark")
class ProbeCostBenchmark {

    private static final int[] BACKENDS = {100, 500, 1000};
    private static final int WARMUP = 50;
    private static final int ITERATIONS = 500;

    @Test
    void probeCostAgainstTheFloor() throws Exception {
        List<Connection> held = new ArrayList<>();
        ExecutorService waiters = Executors.newCachedThreadPool();
        Vertx vertx = Vertx.vertx();
        try (LocalPostgresCluster cluster =
                LocalPostgresCluster.start(PostgresOptions.defaults().maxConnections(1100))) {
            cluster.execute("postgres", "CREATE TABLE t (id int PRIMARY KEY, v int)");
            cluster.execute("postgres", "INSERT INTO t VALUES (1, 0)");
            PgProbe probe = new PgProbe(vertx, target(cluster), probeConfig(), Clock.systemUTC());
            PgConnection floor = PgConnection.connect(
                            vertx,
                            new PgConnectOptions()
                                    .setHost(cluster.host())
                                    .setPort(cluster.port())
                                    .setDatabase("postgres")
                                    .setUser(cluster.superuser())
                                    .setCachePreparedStatements(true))
                    .await()
                    .indefinitely();
            // lock chain: one holder idle in its transaction, five waiters
            Connection holder = open(cluster, held);
            holder.setAutoCommit(false);
            holder.createStatement().executeUpdate("UPDATE t SET v = v + 1 WHERE id = 1");
            for (int i = 0; i < 5; i++) {
                Connection waiter = open(cluster, held);
                waiters.submit(() -> {
                    try (Statement s = waiter.createStatement()) {
                        s.executeUpdate("UPDATE t SET v = v + 2 WHERE id = 1");
                    }
                    return null;
                });
            }
            for (int i = 0; i < 20; i++) {
                Connection idleInTx = open(cluster, held);
                idleInTx.setAutoCommit(false);
                idleInTx.createStatement().execute("SELECT 1");
            }
            System.out.printf(
                    "%nbackends  probe p50  probe p95  floor p50  floor p95  ratio p50  (ms, %d runs)%n", ITERATIONS);
            for (int backends : BACKENDS) {
                while (held.size() + 2 < backends) {
                    open(cluster, held);
                }
                ProbeSample sample = probe.sample().await().indefinitely();
                double[] probeMs = new double[ITERATIONS];
                double[] floorMs = new double[ITERATIONS];
                for (int i = 0; i < WARMUP; i++) {
                    probe.sample().await().indefinitely();
                    floor.preparedQuery("SELECT count(*) FROM pg_stat_activity")
                            .execute()
                            .await()
                            .indefinitely();
                }
                for (int i = 0; i < ITERATIONS; i++) {
                    // interleaved, so both see the same machine noise
                    probeMs[i] = probe.sample().await().indefinitely().durationMs();
                    long started = System.nanoTime();
                    floor.preparedQuery("SELECT count(*) FROM pg_stat_activity")
                            .execute()
                            .await()
                            .indefinitely();
                    floorMs[i] = (System.nanoTime() - started) / 1e6;
                }
                System.out.printf(
                        "%8d  %9.2f  %9.2f  %9.2f  %9.2f  %9.2f   (sample: %d clients, %d blocked, %d idle in tx)%n",
                        sample.connections().total(),
                        percentile(probeMs, 50),
                        percentile(probeMs, 95),
                        percentile(floorMs, 50),
                        percentile(floorMs, 95),
                        percentile(probeMs, 50) / percentile(floorMs, 50),
                        sample.connections().total(),
                        sample.blocked().size(),
                        sample.idleInTransaction().count());
            }
            probe.close();
            floor.closeAndForget();
            for (Connection c : held) {
                c.close();
            }
        } finally {
            waiters.shutdownNow();
            vertx.closeAndAwait();
        }
    }

    private static Connection open(LocalPostgresCluster cluster, List<Connection> held) throws Exception {
        Connection c = DriverManager.getConnection(cluster.jdbcUrl(), cluster.superuser(), "");
        held.add(c);
        if (held.size() % 100 == 0) {
            System.out.printf("  %d connections open%n", held.size());
        }
        return c;
    }

    private static double percentile(double[] values, int p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static DetectorConfig.Target target(LocalPostgresCluster cluster) {
        return config(Map.of(
                        "connguard.detector.targets.bench.host", cluster.host(),
                        "connguard.detector.targets.bench.port", Integer.toString(cluster.port()),
                        "connguard.detector.targets.bench.user", cluster.superuser()))
                .targets()
                .get("bench");
    }

    private static DetectorConfig.Probe probeConfig() {
        return config(Map.of("connguard.detector.targets.x.host", "h", "connguard.detector.targets.x.user", "u"))
                .probe();
    }

    private static DetectorConfig config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .withMapping(DetectorConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "benchmark", 500))
                .build()
                .getConfigMapping(DetectorConfig.class);
    }
}
