package io.connguard.detector;

import io.connguard.events.Topics;
import io.connguard.infra.kafka.EmbeddedKafkaBroker;
import io.connguard.infra.postgres.PostgresOptions;
import io.connguard.infra.postgres.PostgresServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Kafka broker of its own that a test may stop and restart (the shared broker serves every other test and must stay
 * up), and a PostgreSQL cluster with a small max_connections, configured as the only target {@value #TARGET} (probe as
 * superuser). Started by the Kafka-outage profiles ({@link Profile}) instead of {@link DetectorTestInfra}.
 */
public class KafkaOutageTestInfra implements QuarkusTestResourceLifecycleManager {

    public static final String TARGET = "outage";
    /** 20 slots - 3 reserved for superusers = 17 usable. */
    public static final int MAX_CONNECTIONS = 20;

    /** A profile that starts this resource instead of the global ones; subclasses add their configuration. */
    public abstract static class Profile implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(KafkaOutageTestInfra.class));
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }
    }

    private static EmbeddedKafkaBroker kafka;
    private static PostgresServer target;

    public static EmbeddedKafkaBroker kafka() {
        return kafka;
    }

    public static PostgresServer target() {
        return target;
    }

    @Override
    public Map<String, String> start() {
        DetectorTestInfra.registerJdbcDriver();
        kafka = EmbeddedKafkaBroker.start();
        kafka.createTopics(Topics.PRESSURE);
        target = PostgresServer.start(PostgresOptions.defaults().maxConnections(MAX_CONNECTIONS));

        Map<String, String> config = new HashMap<>();
        config.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        // the producer backs off up to 10 s between reconnection attempts by default (SmallRye); a test outage lasts
        // seconds, and the events should follow the restart within a second
        config.put("mp.messaging.outgoing.pressure.reconnect.backoff.max.ms", "500");
        config.put("connguard.detector.periodic-update", "500ms");
        // the outage tests count the events sampled during the outage: a heartbeat there would be one too many
        config.put("connguard.detector.heartbeat", "10m");
        String outage = "connguard.detector.targets." + TARGET + ".";
        config.put(outage + "host", target.host());
        config.put(outage + "port", Integer.toString(target.port()));
        config.put(outage + "user", target.superuser());
        config.put(outage + "sample-interval", "200ms");
        config.put(outage + "thresholds.hold-down", "1s");
        return config;
    }

    @Override
    public void stop() {
        if (target != null) {
            target.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }
}
