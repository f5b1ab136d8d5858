package io.connguard.mitigator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connguard.events.ActionEvent;
import io.connguard.events.CloudEvent;
import io.connguard.events.KafkaCloudEvents;
import io.connguard.events.Level;
import io.connguard.events.Outcome;
import io.connguard.events.PressureChanged;
import io.connguard.events.Topics;
import io.connguard.infra.SharedInfra;
import io.connguard.mitigator.policy.Pressure;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * One target's action in progress delays no other target's (issue 12): each target's pressure events are handled in
 * order, targets in parallel, and an offset is committed only once every record before it is processed, so a record
 * handled ahead of a slower target's is redelivered after a crash, and the engine recognises it.
 */
@QuarkusTest
@WithTestResource(value = MitigatorTestInfra.class, scope = TestResourceScope.GLOBAL)
class ParallelTargetsTest {

    /** Its flag service holds the pause until the test releases it. */
    static final String SLOW = "parallel-slow-db";
    /** Same policy, a flag service that answers at once. */
    static final String FAST = "parallel-fast-db";

    private static final String PAUSE = "pause-ingestion";
    private static final String GROUP = "connguard-mitigator";
    private static final Duration WAIT = Scenario.WAIT;

    @Test
    void aTargetWhoseActionIsInProgressHoldsUpNoOtherTargetAndKeepsItsOwnEventsInOrder() throws Exception {
        HeldWebhook flags = MitigatorTestInfra.heldFlags();
        String slowFlag = MitigatorTestInfra.heldPath(SLOW);
        String fastFlag = MitigatorTestInfra.heldPath(FAST);
        try (Scenario slow = new Scenario(SLOW);
                Scenario fast = new Scenario(FAST);
                Admin admin = Admin.create(Map.of(
                        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        SharedInfra.kafka().bootstrapServers()));
                HeldWebhook.Hold hold = flags.hold(slowFlag)) {
            Sent a1 = send(slow);
            await().atMost(WAIT).until(() -> flags.received(slowFlag) == 1);
            Sent a2 = send(slow);
            Instant sent = Instant.now();
            Sent b1 = send(fast);
            assertThat(b1.record().partition())
                    .as("both targets on one partition: %s's record comes after %s's", FAST, SLOW)
                    .isEqualTo(a1.record().partition());

            ActionEvent started =
                    fast.await(PAUSE + " SUCCEEDED", e -> e.action().equals(PAUSE) && e.outcome() == Outcome.SUCCEEDED);
            System.out.printf(
                    Locale.ROOT,
                    "PARALLEL %s: pressure event -> action started while %s's action is held: %.1f ms%n",
                    FAST,
                    SLOW,
                    Duration.between(sent, started.startedAt()).toNanos() / 1e6);
            assertThat(slow.drain(Duration.ofMillis(200)))
                    .as("%s's events once %s's action started, while %s's pause is held", SLOW, FAST, SLOW)
                    .noneMatch(e -> e.outcome() == Outcome.SUCCEEDED || e.outcome() == Outcome.FAILED)
                    .noneMatch(e -> a2.id().equals(e.causationId()));
            assertThat(flags.answered(slowFlag)).isZero();

            // b1 is done, a1 is not: over two commit cycles the committed offset stays at a1, so a mitigator killed
            // now is handed a1, a2 and b1 again
            await().during(Duration.ofSeconds(1))
                    .atMost(Duration.ofSeconds(3))
                    .until(() -> committed(admin, a1) <= a1.record().offset());
            assertThat(flags.answered(slowFlag))
                    .as("all of that while %s's pause was held", SLOW)
                    .isZero();

            hold.release();
            slow.await(
                    "the held pause SUCCEEDED",
                    e -> a1.id().equals(e.causationId()) && e.outcome() == Outcome.SUCCEEDED);
            slow.await("the event sent while the pause was held", e -> a2.id().equals(e.causationId()));
            // what a successor would be handed again, then one new event each
            for (Sent again : List.of(a1, a2, b1)) {
                slow.send(again.event());
            }
            Sent a3 = send(slow);
            Sent b2 = send(fast);
            slow.await("the event after the redelivered ones", e -> a3.id().equals(e.causationId()));
            fast.await("the event after the redelivered ones", e -> b2.id().equals(e.causationId()));

            assertThat(flags.received(slowFlag)).as("%s's pauses", SLOW).isEqualTo(1);
            assertThat(flags.received(fastFlag)).as("%s's pauses", FAST).isEqualTo(1);
            assertThat(slow.seen.stream()
                            .map(ActionEvent::causationId)
                            .filter(Objects::nonNull)
                            .distinct())
                    .as("one target's events are handled in the order they were sent")
                    .containsExactly(a1.id(), a2.id(), a3.id());
            for (var caused : Map.of(a1, slow, b1, fast).entrySet()) {
                assertThat(caused.getValue().seen)
                        .filteredOn(e -> caused.getKey().id().equals(e.causationId()))
                        .extracting(ActionEvent::outcome)
                        .as("the events of %s, delivered twice", caused.getKey().id())
                        .containsExactly(Outcome.PLANNED, Outcome.SUCCEEDED);
            }
            assertThat(slow.seen)
                    .filteredOn(e -> a2.id().equals(e.causationId()))
                    .as("the events of %s, delivered twice", a2.id())
                    .hasSize(1);
            // once a1 is done the offsets move on past everything handled
            await().atMost(WAIT).until(() -> committed(admin, a1) > b2.record().offset());
        }
    }

    private record Sent(CloudEvent<PressureChanged> event, RecordMetadata record) {
        String id() {
            return event.id();
        }
    }

    private static Sent send(Scenario s) {
        CloudEvent<PressureChanged> event = Scenario.event(Pressure.sample(s.target, s.incident, Level.CRITICAL, 95));
        return new Sent(event, s.writer.send(KafkaCloudEvents.toRecord(Topics.PRESSURE, event)));
    }

    /** The mitigator's committed offset of the partition of {@code sent}: the next record it would be handed. */
    private static long committed(Admin admin, Sent sent) throws ExecutionException, InterruptedException {
        OffsetAndMetadata offset = admin.listConsumerGroupOffsets(GROUP)
                .partitionsToOffsetAndMetadata()
                .get()
                .get(new TopicPartition(Topics.PRESSURE, sent.record().partition()));
        return offset == null ? -1 : offset.offset();
    }
}
