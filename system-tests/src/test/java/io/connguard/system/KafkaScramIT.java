package io.connguard.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.connguard.events.ActionEvent;
import io.connguard.events.Capacity;
import io.connguard.events.CloudEvent;
import io.connguard.events.Connections;
import io.connguard.events.EventType;
import io.connguard.events.KafkaCloudEvents;
import io.connguard.events.Level;
import io.connguard.events.Outcome;
import io.connguard.events.PressureChanged;
import io.connguard.events.Topics;
import io.connguard.infra.FreePorts;
import io.connguard.infra.kafka.EmbeddedKafkaBroker;
import io.connguard.infra.kafka.TopicTail;
import io.connguard.infra.kafka.TopicWriter;
import io.connguard.infra.kubernetes.KubernetesCrudServer;
import io.connguard.infra.process.ServiceProcess;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The packaged mitigator against a broker that requires SASL/SCRAM, configured only by the {@code kafka.*} client
 * properties docs/operations.md ("Kafka security") documents: it reads a pressure event and writes its actions. Here
 * rather than in the mitigator's own tests, where a second Kafka configuration would restart Quarkus and its shared
 * test resources.
 */
class KafkaScramIT {

    private static final String TARGET = "starforge";
    private static final String POLICY = """
            ladder:
              - name: pause-ingestion
                action:
                  kind: pause-ingestion
                  flag: {config-map: {namespace: starforge, name: starforge-flags, key: ingestion-enabled,
                                      paused-value: "false", resumed-value: "true"}}
            """;

    @Test
    void theMitigatorReadsPressureAndWritesActionsOverScram() throws Exception {
        Path policy = Files.createTempFile("connguard-scram-policy", ".yaml");
        Files.writeString(policy, POLICY);
        try (EmbeddedKafkaBroker broker =
                        EmbeddedKafkaBroker.startWithScram("connguard-mitigator", "mitigator-secret");
                KubernetesCrudServer kubernetes = KubernetesCrudServer.start()) {
            broker.createTopics(Topics.PRESSURE, Topics.ACTIONS, Topics.PRESSURE_DLQ);
            Map<String, String> config = new HashMap<>();
            config.put("kafka.bootstrap.servers", broker.bootstrapServers());
            broker.clientProperties().forEach((key, value) -> config.put("kafka." + key, value));
            config.put("quarkus.kubernetes-client.api-server-url", kubernetes.url());
            config.put("quarkus.kubernetes-client.namespace", "connguard");
            config.put("quarkus.kubernetes-client.trust-certs", "true");
            config.put("connguard.mitigator.targets." + TARGET + ".policy-file", policy.toString());

            long started = System.nanoTime();
            try (ServiceProcess mitigator = ServiceProcess.start("mitigator-service", FreePorts.pick(), config);
                    TopicTail actions =
                            TopicTail.fromNow(broker.bootstrapServers(), broker.clientProperties(), Topics.ACTIONS);
                    TopicWriter writer = new TopicWriter(broker.bootstrapServers(), broker.clientProperties())) {
                mitigator.awaitReady(Duration.ofSeconds(60));
                System.out.printf(
                        "[measure] mitigator on a SCRAM broker ready in %d ms%n",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));

                CloudEvent<PressureChanged> pressure = pressure();
                writer.send(KafkaCloudEvents.toRecord(Topics.PRESSURE, pressure));
                ConsumerRecord<String, byte[]> record = actions.await(
                        r -> pressure.id().equals(decode(r).data().causationId()),
                        Duration.ofSeconds(30),
                        "an action caused by " + pressure.id());
                assertThat(record.key()).isEqualTo(TARGET);
                assertThat(decode(record).data().action()).isEqualTo("pause-ingestion");
                // no database runs for the target here, so the claim cannot be confirmed: the mitigator's decision
                // not to act is the action event that proves the round trip over SCRAM
                assertThat(decode(record).data().outcome()).isEqualTo(Outcome.SKIPPED);
                assertThat(decode(record).data().reason())
                        .startsWith("not confirmed on the target: the target could not be read");
            }
        } finally {
            Files.deleteIfExists(policy);
        }
    }

    private static CloudEvent<PressureChanged> pressure() {
        PressureChanged data = PressureChanged.minimal(
                TARGET,
                "incident-scram",
                Level.ELEVATED,
                Level.OK,
                "ratio_above_elevated",
                Instant.now(),
                Capacity.of(20, 3, 0),
                new Connections(15, 5, 10, 0, 0, 0, 0, 5, 0));
        return CloudEvent.create(URI.create("urn:connguard:detector"), EventType.PRESSURE_CHANGED, TARGET, data);
    }

    private static CloudEvent<ActionEvent> decode(ConsumerRecord<String, byte[]> record) {
        return KafkaCloudEvents.decode(record.headers(), record.value(), EventType.ACTION);
    }
}
