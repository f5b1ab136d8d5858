package io.connguard.mitigator.action.postgres;

import io.connguard.mitigator.policy.OwnSample;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * The mitigator's own sample of a target: one cheap query over the persistent connection it already holds (client
 * backends against the server's usable capacity, the way the detector counts them), so a claim is confirmed without
 * opening a connection on a server that may be full. A server that turns a new connection away as full (53300) when
 * the held one is gone is itself the confirmation.
 */
@ApplicationScoped
public class PostgresSampler {

    // usable = what ordinary roles may open: max_connections less the superuser slots and, on 16+, the reserved ones
    static final String SAMPLE = """
            SELECT count(*) FILTER (WHERE backend_type = 'client backend'),
                   current_setting('max_connections')::int
                       - current_setting('superuser_reserved_connections')::int
                       - coalesce(current_setting('reserved_connections', true), '0')::int
            FROM pg_stat_activity
            """;
    private static final String TOO_MANY_CONNECTIONS = "53300";
    private static final int TIMEOUT_SECONDS = 2; // a hung server must not hold the target's thread for long
    private static final Logger LOG = Logger.getLogger(PostgresSampler.class);

    private final PostgresConnections connections;
    private final Clock clock;
    private final Timer timer;

    PostgresSampler(PostgresConnections connections, Clock clock, MeterRegistry registry) {
        this.connections = connections;
        this.clock = clock;
        this.timer = Timer.builder("connguard.target.sample")
                .description("The mitigator's own samples of its targets (confirmations, evidence lapses)")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
    }

    /** The target now; null when it cannot be read (not configured, unreachable, the query failed twice). */
    public OwnSample read(String targetId) {
        long started = System.nanoTime();
        OwnSample sample = sample(targetId, started);
        timer.record(Duration.ofNanos(System.nanoTime() - started));
        return sample;
    }

    private OwnSample sample(String targetId, long started) {
        // the held connection may have died since its last use: one retry on a new one
        for (int attempt = 0; attempt < 2; attempt++) {
            Connection c;
            try {
                c = connections.held(targetId);
            } catch (SQLException e) {
                if (TOO_MANY_CONNECTIONS.equals(e.getSQLState())) {
                    return OwnSample.refusedAt(clock.instant(), millisSince(started));
                }
                LOG.debugf("%s: cannot sample the target: %s", targetId, e.getMessage());
                return null;
            }
            try (Statement st = c.createStatement()) {
                st.setQueryTimeout(TIMEOUT_SECONDS);
                try (ResultSet rs = st.executeQuery(SAMPLE)) {
                    rs.next();
                    return OwnSample.of(rs.getInt(1), rs.getInt(2), clock.instant(), millisSince(started));
                }
            } catch (SQLException e) {
                LOG.debugf("%s: sample failed, reconnecting: %s", targetId, e.getMessage());
                connections.discard(targetId);
            }
        }
        return null;
    }

    private static double millisSince(long started) {
        return (System.nanoTime() - started) / 1e6;
    }
}
