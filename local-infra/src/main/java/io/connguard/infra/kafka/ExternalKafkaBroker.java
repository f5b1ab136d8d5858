package io.connguard.infra.kafka;

import java.util.Objects;
import org.jboss.logging.Logger;

/**
 * A Kafka cluster that something else started and owns: this handle only names it, so {@link #close()}
 * leaves it running. Used for {@value KafkaBroker#EXTERNAL_BOOTSTRAP_ENV} and for sharing one broker
 * between class loaders of the same JVM.
 */
public final class ExternalKafkaBroker implements KafkaBroker {

    private static final Logger LOG = Logger.getLogger(ExternalKafkaBroker.class);

    private final String bootstrapServers;

    public ExternalKafkaBroker(String bootstrapServers) {
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        LOG.debugf("Using the Kafka cluster at %s", bootstrapServers);
    }

    @Override
    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void createTopic(String name, int partitions) {
        KafkaTopics.create(bootstrapServers, name, partitions);
    }

    /** Leaves the cluster running: it belongs to whoever started it. */
    @Override
    public void close() {}

    @Override
    public String toString() {
        return "external Kafka at " + bootstrapServers;
    }
}
