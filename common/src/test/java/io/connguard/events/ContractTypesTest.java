package io.connguard.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.node.NullNode;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContractTypesTest {

    private static final URI SOURCE = URI.create("urn:connguard:detector-service:detector-0");
    private static final Instant AT = Instant.parse("2026-03-14T09:26:53.589Z");

    @Test
    void levelsAreOrderedBySeverityAndUnknownIsOutsideTheOrder() {
        assertThat(Level.CRITICAL.isAbove(Level.ELEVATED)).isTrue();
        assertThat(Level.ELEVATED.isAbove(Level.OK)).isTrue();
        assertThat(Level.CRITICAL.isAbove(Level.OK)).isTrue();
        assertThat(Level.OK.isAbove(Level.ELEVATED)).isFalse();
        assertThat(Level.ELEVATED.isAbove(Level.ELEVATED)).isFalse();
        for (Level level : Level.values()) {
            assertThat(Level.UNKNOWN.isAbove(level))
                    .as("UNKNOWN above %s", level)
                    .isFalse();
            assertThat(level.isAbove(Level.UNKNOWN))
                    .as("%s above UNKNOWN", level)
                    .isFalse();
            assertThat(level.isAbove(null)).isFalse();
        }
        assertThat(Level.UNKNOWN.isKnown()).isFalse();
        assertThat(Level.OK.isKnown()).isTrue();
    }

    @Test
    void eventTypesAreLookedUpByTheirWireName() {
        assertThat(EventType.all())
                .containsExactly(EventType.PRESSURE_CHANGED, EventType.ACTION, EventType.CHAIN_CHECKPOINT);
        assertThat(EventType.of("io.connguard.audit.checkpoint.v1")).contains(EventType.CHAIN_CHECKPOINT);
        assertThat(EventType.of("io.connguard.pressure.changed.v1")).contains(EventType.PRESSURE_CHANGED);
        assertThat(EventType.of("io.connguard.action.v1")).contains(EventType.ACTION);
        assertThat(EventType.of("io.connguard.action.v2")).isEmpty();
        assertThat(EventType.of(null)).isEmpty();
    }

    @Test
    void topicsAndDeadLetterTopics() {
        assertThat(Topics.forType(EventType.PRESSURE_CHANGED)).isEqualTo(Topics.PRESSURE);
        assertThat(Topics.forType(EventType.ACTION)).isEqualTo(Topics.ACTIONS);
        assertThat(Topics.forType(EventType.CHAIN_CHECKPOINT)).isEqualTo(Topics.AUDIT_CHECKPOINTS);
        assertThat(Topics.deadLetterOf(Topics.PRESSURE)).isEqualTo(Topics.PRESSURE_DLQ);
        assertThat(Topics.deadLetterOf(Topics.ACTIONS)).isEqualTo(Topics.ACTIONS_DLQ);
    }

    @Test
    void createGivesAUniqueIdAndTheClockTime() {
        Clock clock = Clock.fixed(AT, ZoneOffset.UTC);
        PressureChanged data = elevated();

        CloudEvent<PressureChanged> first =
                CloudEvent.create(SOURCE, EventType.PRESSURE_CHANGED, "orders-db", data, clock);
        CloudEvent<PressureChanged> second =
                CloudEvent.create(SOURCE, EventType.PRESSURE_CHANGED, "orders-db", data, clock);

        assertThat(first.id()).isNotEqualTo(second.id());
        assertThat(first.time()).isEqualTo(AT);
        assertThat(first.type()).isEqualTo("io.connguard.pressure.changed.v1");
        assertThat(first.subject()).isEqualTo("orders-db");
        assertThat(first.source()).isEqualTo(SOURCE);
        assertThat(CloudEvent.create(SOURCE, EventType.PRESSURE_CHANGED, "orders-db", data)
                        .time())
                .isCloseTo(Instant.now(), within(5, ChronoUnit.SECONDS));
    }

    @Test
    void envelopeRejectsMissingParts() {
        PressureChanged data = elevated();

        assertThatThrownBy(() -> new CloudEvent<>(" ", SOURCE, "t", "orders-db", AT, data))
                .hasMessage("id must not be blank");
        assertThatThrownBy(() -> new CloudEvent<>("1", null, "t", "orders-db", AT, data))
                .hasMessage("source must not be null");
        assertThatThrownBy(() -> new CloudEvent<>("1", SOURCE, "", "orders-db", AT, data))
                .hasMessage("type must not be blank");
        assertThatThrownBy(() -> new CloudEvent<>("1", SOURCE, "t", null, AT, data))
                .hasMessage("subject must not be blank");
        assertThatThrownBy(() -> new CloudEvent<>("1", SOURCE, "t", "orders-db", null, data))
                .hasMessage("time must not be null");
        assertThatThrownBy(() -> new CloudEvent<>("1", SOURCE, "t", "billing-db", AT, data))
                .hasMessage("subject 'billing-db' must equal data.targetId 'orders-db'");
    }

    @Test
    void pressureChangedStatesItsInvariants() {
        assertThatThrownBy(() -> PressureChanged.unknown("orders-db", null, Level.OK, AT, null))
                .hasMessage("error must be set when level is UNKNOWN");
        assertThatThrownBy(() -> new PressureChanged(
                        "orders-db",
                        null,
                        Level.CRITICAL,
                        Level.OK,
                        true,
                        "ratio_above_critical",
                        AT,
                        null,
                        null,
                        null,
                        0.0,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null))
                .hasMessage("capacity and connections must be set when level is CRITICAL");
        assertThatThrownBy(() -> refused(null)).hasMessage("error must be set when reason is connections_refused");
        // refused before sampling: exhaustion is known, the counts are not
        assertThat(refused("FATAL: sorry, too many clients already").connections())
                .isNull();
        assertThatThrownBy(() -> new PressureChanged(
                        "orders-db",
                        null,
                        Level.OK,
                        Level.OK,
                        false,
                        "periodic",
                        AT,
                        null,
                        Capacity.of(0, 0, 0),
                        new Connections(0, 0, 0, 0, 0, 0, 0, 0, 0),
                        Double.NaN,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null))
                .hasMessage("ratio must be a finite number >= 0: NaN");
    }

    @Test
    void incidentStartedAtBelongsToAnIncidentAndOlderCallersLeaveItAbsent() {
        PressureChanged elevated = elevated();
        assertThat(elevated.incidentStartedAt()).isNull();
        assertThatThrownBy(() -> new PressureChanged(
                        "orders-db",
                        null,
                        AT,
                        Level.OK,
                        Level.OK,
                        false,
                        PressureChanged.REASON_HEARTBEAT,
                        AT,
                        null,
                        Capacity.of(103, 3, 0),
                        new Connections(0, 0, 0, 0, 0, 0, 0, 0, 0),
                        0.0,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null))
                .hasMessage("incidentStartedAt must not be set without incidentId");
    }

    @Test
    void listsAreNeverNullAndNotSharedWithTheCaller() {
        List<BlockedSession> blocked = new ArrayList<>();
        blocked.add(new BlockedSession(7, null, null));
        PressureChanged sample = new PressureChanged(
                "orders-db",
                null,
                Level.OK,
                Level.OK,
                false,
                "periodic",
                AT,
                null,
                Capacity.of(103, 3, 0),
                new Connections(0, 0, 0, 0, 0, 0, 0, 0, 0),
                0.0,
                null,
                null,
                null,
                null,
                blocked,
                null,
                null);
        blocked.clear();

        assertThat(sample.topClients()).isEmpty();
        assertThat(sample.longestQueries()).isEmpty();
        assertThat(sample.oldestTransactions()).isEmpty();
        assertThat(sample.blocked()).hasSize(1);
        assertThat(sample.blocked().get(0).blockedBy()).isEmpty();
    }

    @Test
    void actionEventStatesItsInvariants() {
        assertThatThrownBy(() -> action(Outcome.SKIPPED, null))
                .hasMessage("reason must be set when outcome is SKIPPED");
        assertThatThrownBy(() -> new Command("", "x", null)).hasMessage("command.system must not be blank");
        assertThat(action(Outcome.NOOP, null).stateBefore()).isNull();
        assertThat(Command.none()).isEqualTo(new Command("none", "", null));
    }

    private static ActionEvent action(Outcome outcome, String reason) {
        return new ActionEvent(
                "act-1",
                "orders-db",
                "inc-1",
                "evt-1",
                "notify",
                "notify",
                Mode.ENFORCE,
                outcome,
                Command.none(),
                NullNode.getInstance(),
                null,
                null,
                reason,
                null,
                null,
                null,
                null);
    }

    private static PressureChanged elevated() {
        return PressureChanged.minimal(
                "orders-db",
                "inc-1",
                Level.ELEVATED,
                Level.OK,
                "ratio_above_elevated",
                AT,
                Capacity.of(103, 3, 0),
                new Connections(85, 20, 60, 5, 0, 0, 0, 6, 0));
    }

    private static PressureChanged refused(String error) {
        return new PressureChanged(
                "orders-db",
                "inc-1",
                Level.CRITICAL,
                Level.ELEVATED,
                true,
                PressureChanged.REASON_CONNECTIONS_REFUSED,
                AT,
                null,
                null,
                null,
                0.0,
                null,
                null,
                null,
                null,
                null,
                null,
                error);
    }
}
