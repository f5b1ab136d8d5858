package io.connguard.mitigator.action.postgres;

import io.connguard.infra.postgres.PostgresOptions;
import io.connguard.infra.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What confirming a claim costs the target and the action: the mitigator's own sample ({@link PostgresSampler#SAMPLE},
 * run as the sampler runs it: a plain statement with a query timeout over one held connection) next to the floor, a
 * bare {@code SELECT 1} over the same connection, interleaved in the same run, at 50, 250 and 500 client backends.
 *
 * <pre>./mvnw -o -pl mitigator-service test -Dgroups=benchmark -Dsurefire.excludedGroups=none -Dtest=ConfirmationCostBenchmark</pre>
 */
@Tag("benchmark")
class ConfirmationCostBenchmark {

    private static final int[] BACKENDS = {50, 250, 500};
    private static final int WARMUP = 100;
    private static final int ITERATIONS = 1000;

    @Test
    void ownSampleAgainstTheFloor() throws Exception {
        List<Connection> held = new ArrayList<>();
        try (PostgresServer server =
                        PostgresServer.start(PostgresOptions.defaults().maxConnections(520));
                Connection mitigator = DriverManager.getConnection(server.jdbcUrl(), server.superuser(), "")) {
            System.out.printf(
                    "%nbackends  sample p50  sample p95  floor p50  floor p95  ratio p50  (ms, %d runs)%n", ITERATIONS);
            for (int backends : BACKENDS) {
                while (held.size() + 1 < backends) {
                    held.add(DriverManager.getConnection(server.jdbcUrl(), server.superuser(), ""));
                }
                double[] sample = new double[ITERATIONS];
                double[] floor = new double[ITERATIONS];
                for (int i = 0; i < WARMUP; i++) {
                    time(mitigator, PostgresSampler.SAMPLE);
                    time(mitigator, "SELECT 1");
                }
                for (int i = 0; i < ITERATIONS; i++) {
                    sample[i] = time(mitigator, PostgresSampler.SAMPLE); // interleaved: both see the same noise
                    floor[i] = time(mitigator, "SELECT 1");
                }
                System.out.printf(
                        "%8d  %10.3f  %10.3f  %9.3f  %9.3f  %9.2f%n",
                        backends,
                        percentile(sample, 50),
                        percentile(sample, 95),
                        percentile(floor, 50),
                        percentile(floor, 95),
                        percentile(sample, 50) / percentile(floor, 50));
            }
        } finally {
            for (Connection c : held) {
                c.close();
            }
        }
    }

    private static double time(Connection c, String sql) throws Exception {
        long started = System.nanoTime();
        try (Statement st = c.createStatement()) {
            st.setQueryTimeout(2);
            try (ResultSet rs = st.executeQuery(sql)) {
                rs.next();
            }
        }
        return (System.nanoTime() - started) / 1e6;
    }

    private static double percentile(double[] values, int p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }
}
