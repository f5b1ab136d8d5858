package io.connguard.mitigator;

import static io.restassured.RestAssured.given;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(value = MitigatorTestInfra.class, scope = TestResourceScope.GLOBAL)
class PressureConsumptionTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    /** The detector's default {@code ce_source}, the mitigator's default accepted source. */
    private static final String DETECTOR = "urn:connguard:detector";

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
            assertThat(header(dead, KafkaCloudEvents.DEAD_LETTER_REASON)).contains("ce_");

            CloudEvent<PressureChanged> next = pressure("db-b", Level.CRITICAL);
            writer.send(KafkaCloudEvents.toRecord(Topics.PRESSURE, next));
            actions.await(r -> causedBy(r, next), WAIT, "an action for the event after the malformed one");
        }
    }

    @Test
    void eventsBreakingASenderRuleGoToTheDeadLetterTopicWithTheRuleAndCauseNoAction() {
        try (TopicTail dlq = tail(Topics.PRESSURE_DLQ);
                TopicTail actions = tail(Topics.ACTIONS);
                TopicWriter writer = writer()) {
            String target = "after-forged-db";
            CloudEvent<PressureChanged> forged =
                    pressure(URI.create("urn:connguard:detector:forged"), target, Level.CRITICAL);
            CloudEvent<PressureChanged> unconfigured = pressure("unconfigured-db", Level.CRITICAL);
            CloudEvent<PressureChanged> otherKey = pressure(target, Level.CRITICAL);
            CloudEvent<PressureChanged> otherTarget = pressure(target, Level.CRITICAL);
            Map<String, String> reasons = new LinkedHashMap<>();
            reasons.put(
                    forged.id(),
                    "sender rule: ce_source 'urn:connguard:detector:forged' is not in"
                            + " connguard.mitigator.accepted-sources [urn:connguard:detector]");
            reasons.put(
                    unconfigured.id(),
                    "sender rule: target 'unconfigured-db' is not configured"
                            + " (no connguard.mitigator.targets.unconfigured-db.*)");
            reasons.put(otherKey.id(), "sender rule: Kafka key 'db-a' does not equal ce_subject '" + target + "'");
            reasons.put(
                    otherTarget.id(),
                    "invalid event " + otherTarget.id() + ": subject '" + target + "' must equal data.targetId 'db-a'");

            writer.send(KafkaCloudEvents.toRecord(Topics.PRESSURE, forged));
            writer.send(KafkaCloudEvents.toRecord(Topics.PRESSURE, unconfigured));
            writer.send(new ProducerRecord<>(
                    Topics.PRESSURE,
                    null,
                    "db-a",
                    KafkaCloudEvents.data(otherKey),
                    KafkaCloudEvents.headers(otherKey)));
            // the envelope of an event for the target around the payload of another target's event
            writer.send(new ProducerRecord<>(
                    Topics.PRESSURE,
                    null,
                    target,
                    KafkaCloudEvents.data(pressure("db-a", Level.CRITICAL)),
                    KafkaCloudEvents.headers(otherTarget)));

            reasons.forEach((id, reason) -> {
                ConsumerRecord<String, byte[]> dead =
                        dlq.await(r -> id.equals(header(r, KafkaCloudEvents.ID_HEADER)), WAIT, "ce_id " + id);
                assertThat(header(dead, KafkaCloudEvents.DEAD_LETTER_REASON)).isEqualTo(reason);
            });
            // the partition is consumed in order: once an admitted event after them is handled, they were dropped
            CloudEvent<PressureChanged> admitted = pressure(target, Level.CRITICAL);
            writer.send(KafkaCloudEvents.toRecord(Topics.PRESSURE, admitted));
            List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
            actions.await(
                    r -> {
                        seen.add(r);
                        return causedBy(r, admitted);
                    },
                    WAIT,
                    "an action for the admitted event");
            assertThat(seen).noneMatch(r -> reasons.containsKey(decode(r).data().causationId()));
        }
    }

    @Test
    void aThousandUnconfiguredTargetsCreateNoThreadAndNoMetricSeries() {
        try (TopicTail dlq = tail(Topics.PRESSURE_DLQ);
                TopicTail actions = tail(Topics.ACTIONS);
                TopicWriter writer = writer()) {
            long threadsBefore = targetThreads();
            int bogus = 1_000;
            for (int i = 0; i < bogus; i++) {
                writer.send(KafkaCloudEvents.toRecord(Topics.PRESSURE, pressure("bogus-" + i, Level.CRITICAL)));
            }
            CloudEvent<PressureChanged> admitted = pressure("after-flood-db", Level.CRITICAL);
            writer.send(KafkaCloudEvents.toRecord(Topics.PRESSURE, admitted));
            actions.await(r -> causedBy(r, admitted), Duration.ofSeconds(60), "an action for the admitted event");

            // the admitted target's own actor is the one thread the test may add
            assertThat(targetThreads()).isLessThanOrEqualTo(threadsBefore + 1);
            String metrics =
                    given().get("/q/metrics").then().statusCode(200).extract().asString();
            assertThat(metrics)
                    .contains("target=\"after-flood-db\"")
                    .doesNotContain("target=\"bogus-")
                    .containsPattern("connguard_pressure_rejected_total\\{rule=\"target\"} [0-9.E]+");
            Set<String> dead = new HashSet<>();
            dlq.await(
                    r -> {
                        if (r.key() != null
                                && r.key().startsWith("bogus-")
                                && header(r, KafkaCloudEvents.DEAD_LETTER_REASON)
                                        .startsWith("sender rule: target '" + r.key() + "' is not configured")) {
                            dead.add(r.key());
                        }
                        return dead.size() == bogus;
                    },
                    WAIT,
                    "all " + bogus + " bogus targets on the DLQ");
        }
    }

    private static long targetThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("connguard-target-"))
                .count();
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    static CloudEvent<PressureChanged> pressure(String target, Level level) {
        return pressure(URI.create(DETECTOR), target, level);
    }

    static CloudEvent<PressureChanged> pressure(URI source, String target, Level level) {
        PressureChanged data = PressureChanged.minimal(
                target,
                "incident-" + target,
                level,
                Level.OK,
                "ratio_above_elevated",
                Instant.now(),
                Capacity.of(20, 3, 0),
                new Connections(15, 5, 10, 0, 0, 0, 0, 5, 0));
        return CloudEvent.create(source, EventType.PRESSURE_CHANGED, target, data);
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
