package io.connguard.infra.kafka;

import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.AppInfoParser;
import org.jboss.logging.Logger;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A broker in a Docker container (Testcontainers' {@code apache/kafka} image), for machines with a Docker
 * engine. The image tag follows the kafka-clients version on the classpath so the broker speaks exactly the
 * protocol version the services are built against. Testcontainers removes the container if the JVM dies.
 */
final class ContainerKafkaBroker implements KafkaBroker {

    private static final Logger LOG = Logger.getLogger(ContainerKafkaBroker.class);
    private static final String CONTAINER_CLASS = "org.testcontainers.kafka.KafkaContainer";

    private final KafkaContainer container;

    private ContainerKafkaBroker(KafkaContainer container) {
        this.container = container;
    }

    static KafkaBroker start() {
        requireTestcontainersKafka();
        long started = System.nanoTime();
        KafkaContainer container = new KafkaContainer(
                        DockerImageName.parse("apache/kafka:" + AppInfoParser.getVersion()))
                .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
                .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "true")
                .withEnv("KAFKA_NUM_PARTITIONS", "1");
        container.start();
        ContainerKafkaBroker broker = new ContainerKafkaBroker(container);
        LOG.infof(
                "Kafka container ready at %s in %d ms",
                broker.bootstrapServers(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return broker;
    }

    private static void requireTestcontainersKafka() {
        try {
            Class.forName(CONTAINER_CLASS, false, ContainerKafkaBroker.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(
                    "Docker mode needs org.testcontainers:testcontainers-kafka on the classpath;"
                            + " add it or set connguard.infra=embedded");
        }
    }

    @Override
    public String bootstrapServers() {
        return container.getBootstrapServers();
    }

    @Override
    public void createTopic(String name, int partitions) {
        KafkaTopics.create(bootstrapServers(), name, partitions);
    }

    @Override
    public void close() {
        container.stop();
    }

    @Override
    public String toString() {
        return "Kafka container at " + bootstrapServers();
    }
}
