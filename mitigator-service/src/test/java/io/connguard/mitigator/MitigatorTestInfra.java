package io.connguard.mitigator;

import io.connguard.infra.SharedInfra;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** The real infrastructure every mitigator test runs against: the shared Kafka broker. */
public class MitigatorTestInfra implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("kafka.bootstrap.servers", SharedInfra.kafka().bootstrapServers());
    }

    @Override
    public void stop() {}
}
