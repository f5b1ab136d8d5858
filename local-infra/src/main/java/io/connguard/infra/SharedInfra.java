package io.connguard.infra;

import io.connguard.infra.kafka.ExternalKafkaBroker;
import io.connguard.infra.kafka.KafkaBroker;
import org.jboss.logging.Logger;

/**
 * Infrastructure shared by every test in a JVM, started on first use and stopped when the JVM exits.
 *
 * <p>A broker start costs more than most tests, and topics and consumer groups with unique names keep
 * tests apart, so one broker per test JVM is enough. Quarkus may load this class more than once (one class
 * loader per application); the first broker's address is therefore published as the system property
 * {@value #KAFKA_BOOTSTRAP_PROPERTY}, and later loaders reuse that broker instead of starting another.
 * Callers must not close what this class hands out; closing the returned handle does nothing.
 */
public final class SharedInfra {

    /** Set by the JVM's shared broker; read by copies of this class in other class loaders. */
    public static final String KAFKA_BOOTSTRAP_PROPERTY = "connguard.infra.shared-kafka.bootstrap-servers";

    private static final Logger LOG = Logger.getLogger(SharedInfra.class);

    private static KafkaBroker kafka;

    private SharedInfra() {}

    /** The JVM's broker, started on the first call. */
    public static synchronized KafkaBroker kafka() {
        if (kafka == null) {
            String shared = System.getProperty(KAFKA_BOOTSTRAP_PROPERTY);
            if (shared != null) {
                LOG.debugf("Reusing the shared Kafka broker at %s", shared);
                kafka = new ExternalKafkaBroker(shared);
            } else {
                KafkaBroker owned = KafkaBroker.start();
                Runtime.getRuntime().addShutdownHook(new Thread(owned::close, "connguard-shared-kafka-shutdown"));
                System.setProperty(KAFKA_BOOTSTRAP_PROPERTY, owned.bootstrapServers());
                kafka = new Unclosable(owned);
            }
        }
        return kafka;
    }

    /** Hands out a JVM-wide broker without letting one test stop it for the others. */
    private record Unclosable(KafkaBroker delegate) implements KafkaBroker {
        @Override
        public String bootstrapServers() {
            return delegate.bootstrapServers();
        }

        @Override
        public void createTopic(String name, int partitions) {
            delegate.createTopic(name, partitions);
        }

        @Override
        public void close() {}

        @Override
        public String toString() {
            return "shared " + delegate;
        }
    }
}
