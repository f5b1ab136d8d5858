package io.connguard.infra.kafka;

import io.connguard.infra.InfraMode;

/**
 * A Kafka broker that tests and the local drill publish to and consume from.
 *
 * <p>Lifecycle: {@link #start()} returns a broker that is ready to accept clients; {@link #close()} stops
 * what {@code start()} started and frees its storage, and does nothing for a broker it did not start
 * (an external cluster). Tests normally share one broker per JVM through
 * {@link io.connguard.infra.SharedInfra#kafka()}, because a broker start costs more than most tests.
 */
public interface KafkaBroker extends AutoCloseable {

    /** Environment variable naming an existing cluster to use instead of starting one. */
    String EXTERNAL_BOOTSTRAP_ENV = "CONNGUARD_KAFKA_BOOTSTRAP_SERVERS";

    /** The {@code bootstrap.servers} value clients use. */
    String bootstrapServers();

    /** Creates topics with one partition each; topics that already exist are left as they are. */
    default void createTopics(String... names) {
        for (String name : names) {
            createTopic(name, 1);
        }
    }

    /** Creates a topic with the cluster's default replication factor; an existing topic is left as it is. */
    void createTopic(String name, int partitions);

    @Override
    void close();

    /**
     * An existing cluster when {@value #EXTERNAL_BOOTSTRAP_ENV} is set (used as-is; {@code close()} does nothing),
     * else, per {@link InfraMode}, a Testcontainers {@code apache/kafka} container or an {@link EmbeddedKafkaBroker}.
     * Logs how long the start took.
     */
    static KafkaBroker start() {
        String external = System.getenv(EXTERNAL_BOOTSTRAP_ENV);
        if (external != null && !external.isBlank()) {
            return new ExternalKafkaBroker(external.trim());
        }
        return switch (InfraMode.current().resolve()) {
            case DOCKER -> ContainerKafkaBroker.start();
            case AUTO, EMBEDDED -> EmbeddedKafkaBroker.start();
        };
    }
}
