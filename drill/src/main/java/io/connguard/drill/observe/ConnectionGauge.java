package io.connguard.drill.observe;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Samples the target's {@code pg_stat_activity} every 250 ms over one superuser connection (a reserved slot, so it
 * keeps sampling while ordinary clients are refused) and feeds the samples to the {@link Milestones}. Counts client
 * backends against {@code max_connections - superuser_reserved_connections}, as the detector does. Connects to the
 * StarForge database to read its job queue too (pg_stat_activity covers every database).
 */
public final class ConnectionGauge implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ConnectionGauge.class);
    private static final String SAMPLE = "SELECT coalesce(application_name, ''), count(*) FROM pg_stat_activity"
            + " WHERE backend_type = 'client backend' GROUP BY 1";

    private final Connection connection;
    private final Milestones milestones;
    private final Clock clock;
    private final int usable;
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "drill-gauge");
        t.setDaemon(true);
        return t;
    });
    private volatile Map<String, Integer> byApplication = Map.of();
    private volatile long queueDepth;

    public ConnectionGauge(String jdbcUrl, String superuser, Milestones milestones, Clock clock) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", superuser);
        p.setProperty("ApplicationName", "connguard-drill");
        connection = DriverManager.getConnection(jdbcUrl, p);
        this.milestones = milestones;
        this.clock = clock;
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_setting('max_connections')::int"
                        + " - current_setting('superuser_reserved_connections')::int")) {
            rs.next();
            usable = rs.getInt(1);
        }
        sampler.scheduleWithFixedDelay(this::sample, 0, 250, TimeUnit.MILLISECONDS);
    }

    private void sample() {
        try (Statement s = connection.createStatement()) {
            Map<String, Integer> counts = new LinkedHashMap<>();
            int total = 0;
            try (ResultSet rs = s.executeQuery(SAMPLE)) {
                while (rs.next()) {
                    counts.put(rs.getString(1), rs.getInt(2));
                    total += rs.getInt(2);
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM jobs WHERE done_at IS NULL")) {
                rs.next();
                queueDepth = rs.getLong(1);
            } catch (SQLException noQueueHere) {
                queueDepth = -1;
            }
            byApplication = counts;
            synchronized (milestones) {
                milestones.sample(clock.instant(), total, usable);
            }
        } catch (SQLException e) {
            LOG.warnf("pg_stat_activity sample failed: %s", e.getMessage());
        }
    }

    /** Client connections by application_name at the last sample. */
    public Map<String, Integer> byApplication() {
        return byApplication;
    }

    /** Jobs waiting in the StarForge queue at the last sample. */
    public long queueDepth() {
        return queueDepth;
    }

    /** max_connections minus the superuser-reserved slots. */
    public int usable() {
        return usable;
    }

    @Override
    public void close() {
        sampler.shutdownNow();
        try {
            sampler.awaitTermination(2, TimeUnit.SECONDS);
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SQLException ignored) {
            // the server is stopping anyway
        }
    }
}
