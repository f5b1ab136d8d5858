package io.connguard.infra.quarkus;

import io.connguard.infra.SharedInfra;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Points a {@code @QuarkusTest} application at the JVM's shared Kafka broker through
 * {@code kafka.bootstrap.servers}. The broker outlives the application: Quarkus may restart the application
 * between test classes, and the next start reuses the broker (see {@link SharedInfra}).
 *
 * <pre>{@code @QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)}</pre>
 */
public final class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("kafka.bootstrap.servers", SharedInfra.kafka().bootstrapServers());
    }

    /** Nothing: the shared broker stops when the JVM exits. */
    @Override
    public void stop() {}
}
