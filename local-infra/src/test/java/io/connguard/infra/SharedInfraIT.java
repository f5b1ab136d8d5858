package io.connguard.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.connguard.infra.junit.KafkaExtension;
import io.connguard.infra.kafka.KafkaBroker;
import io.connguard.infra.quarkus.KafkaTestResource;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SharedInfraIT {

    @RegisterExtension
    static KafkaExtension kafka = new KafkaExtension();

    @Test
    void everyFixtureHandsOutTheOneBrokerOfThisJvm() {
        KafkaBroker broker = kafka.broker();

        assertThat(SharedInfra.kafka()).isSameAs(broker);
        assertThat(System.getProperty(SharedInfra.KAFKA_BOOTSTRAP_PROPERTY)).isEqualTo(broker.bootstrapServers());
        assertThat(new KafkaTestResource().start())
                .isEqualTo(Map.of("kafka.bootstrap.servers", broker.bootstrapServers()));
    }

    @Test
    void closingTheSharedHandleLeavesTheBrokerRunningForOtherTests() throws Exception {
        KafkaBroker broker = kafka.broker();
        broker.close();

        broker.createTopics("shared.after-close");
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).contains("shared.after-close");
        }
    }
}
