package io.connguard.detector;

import io.connguard.infra.SharedInfra;
import io.connguard.infra.postgres.PostgresOptions;
import io.connguard.infra.postgres.PostgresServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * The real infrastructure every detector test runs against: the shared Kafka broker and one monitored PostgreSQL
 * cluster with a small max_connections, configured as target {@value #TARGET}.
 */
public class DetectorTestInfra implements QuarkusTestResourceLifecycleManager {

    public static final String TARGET = "main";
    /** 20 slots - 3 reserved for superusers = 17 usable. */
    public static final int MAX_CONNECTIONS = 20;

    private static PostgresServer target;

    public static PostgresServer target() {
        return target;
    }

    @Override
    public Map<String, String> start() {
        target = PostgresServer.start(PostgresOptions.defaults().maxConnections(MAX_CONNECTIONS));
        String prefix = "connguard.detector.targets." + TARGET + ".";
        return Map.of(
                "kafka.bootstrap.servers",
                SharedInfra.kafka().bootstrapServers(),
                prefix + "host",
                target.host(),
                prefix + "port",
                Integer.toString(target.port()),
                prefix + "user",
                target.superuser(),
                prefix + "sample-interval",
                "200ms",
                prefix + "thresholds.hold-down",
                "1s",
                prefix + "thresholds.resolve-after",
                "2s");
    }

    @Override
    public void stop() {
        if (target != null) {
            target.close();
        }
    }
}
