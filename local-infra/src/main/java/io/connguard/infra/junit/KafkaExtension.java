package io.connguard.infra.junit;

import io.connguard.infra.SharedInfra;
import io.connguard.infra.kafka.KafkaBroker;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives a test class the JVM's shared Kafka broker ({@link SharedInfra#kafka()}), started before the first
 * test of the first class that needs it and left running for later classes.
 *
 * <pre>{@code @RegisterExtension static KafkaExtension kafka = new KafkaExtension();}</pre>
 */
public final class KafkaExtension implements BeforeAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        SharedInfra.kafka();
    }

    /** The shared broker; starts it if no test class has yet. */
    public KafkaBroker broker() {
        return SharedInfra.kafka();
    }
}
