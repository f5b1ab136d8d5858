package io.connguard.mitigator;

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
import io.connguard.infra.SharedInfra;
import io.connguard.infra.kafka.TopicTail;
import io.connguard.infra.kafka.TopicWriter;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(value = MitigatorTestInfra.class, scope = TestResourceScope.GLOBAL)
class PressureConsumptionTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void aPressureEventYieldsActionEventsCausedByItAndAnUnreadableFlagFailsClosed() {
        try (TopicTail actions = tail(Topics.ACTIONS);
                TopicWriter writer = writer()) {
            CloudEvent<PressureChanged> pressure = pressure("db-a", Level.ELEVATED);
            writer.send(KafkaCloudEvents.toRecord(Topics.PRESSURE, pressure));

            // the built-in policy's first step pauses ingestion through starforge/starforge-flags, absent here
            ConsumerRecord<String, byte[]> record =
                    actions.await(r -> causedBy(r, pressure), WAIT, "causationId " + pressure.id());
            CloudEvent<ActionEvent> planned = decode(record);
            assertThat(record.key()).isEqualTo("db-a");
            assertThat(planned.subject()).isEqualTo("db-a");
            assertThat(planned.data().outcome()).isEqualTo(Outcome.PLANNED);
            assertThat(planned.data().action()).isEqualTo("pause-ingestion");
            assertThat(planned.data().incidentId()).isEqualTo(pressure.data().incidentId());
            // the default policy plans the scale-down together with the pause (and-next): wait for the pause's result
            String pause = planned.data().actionId();
            CloudEvent<ActionEvent> failed = decode(actions.await(
                    r -> pause.equals(decode(r).data().actionId())
                            && decode(r).data().outcome() == Outcome.FAILED,
                    WAIT,
                    "the pause's failure"));
            assertThat(failed.data().error()).isEqualTo("ConfigMap starforge/starforge-flags not found");
        }
    }

    @Test
    void aMalformedRecordGoesToTheDeadLetterTopicAndConsumptionCarriesOn() {
        try (TopicTail dlq = tail(Topics.PRESSURE_DLQ);
                TopicTail actions = tail(Topics.ACTIONS);
                TopicWriter writer = writer()) {
            writer.send(new ProducerRecord<>(Topics.PRESSURE, "db-b", "not a cloud event".getBytes()));

            ConsumerRecord<String, byte[]> dead =
                    dlq.await(r -> "db-b".equals(r.key()), WAIT, "the malformed record on the DLQ");
            assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("not a cloud event");
            assertThat(new String(
                            dead.headers()
                                    .lastHeader(KafkaCloudEvents.DEAD_LETTER_REASON)
                                    .value(),
                            StandardCharsets.UTF_8))
                    .contains("ce_");

            CloudEvent<PressureChanged> next = pressure("db-b", Level.CRITICAL);
            writer.send(KafkaCloudEvents.toRecord(Topics.PRESSURE, next));
            actions.await(r -> causedBy(r, next), WAIT, "an action for the event after the malformed one");
        }
    }

    static CloudEvent<PressureChanged> pressure(String target, Level level) {
        PressureChanged data = PressureChanged.minimal(
                target,
                "incident-" + target,
                level,
                Level.OK,
                "ratio_above_elevated",
                Instant.now(),
                Capacity.of(20, 3, 0),
                new Connections(15, 5, 10, 0, 0, 0, 0, 5, 0));
        return CloudEvent.create(URI.create("urn:connguard:test"), EventType.PRESSURE_CHANGED, target, data);
    }

    private static boolean causedBy(ConsumerRecord<String, byte[]> record, CloudEvent<PressureChanged> pressure) {
        return pressure.id().equals(decode(record).data().causationId());
    }

    private static CloudEvent<ActionEvent> decode(ConsumerRecord<String, byte[]> record) {
        return KafkaCloudEvents.decode(record.headers(), record.value(), EventType.ACTION);
    }

    private static TopicTail tail(String topic) {
        return TopicTail.fromNow(SharedInfra.kafka().bootstrapServers(), topic);
    }

    private static TopicWriter writer() {
        return new TopicWriter(SharedInfra.kafka().bootstrapServers());
    }
}
