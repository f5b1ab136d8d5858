package io.connguard.detector.incident;

import static org.assertj.core.api.Assertions.assertThat;

import io.connguard.events.Capacity;
import io.connguard.events.Connections;
import io.connguard.events.Level;
import io.connguard.events.PressureChanged;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which last event of a target leaves an incident for a restarted detector to continue. */
class OpenIncidentTest {

    private static final Instant ONSET = Instant.parse("2026-11-27T10:00:00Z");
    private static final Instant LAST = ONSET.plusSeconds(90);

    @Test
    void anEventOfAnIncidentLeavesItOpenAtItsLevel() {
        assertThat(OpenIncident.of(event("inc-1", ONSET, Level.CRITICAL, "periodic")))
                .contains(new OpenIncident("inc-1", ONSET, Level.CRITICAL));
        assertThat(OpenIncident.of(event("inc-1", ONSET, Level.OK, "below_clear_threshold")))
                .as("back at OK, not yet resolved")
                .contains(new OpenIncident("inc-1", ONSET, Level.OK));
        assertThat(OpenIncident.of(event("inc-1", null, Level.ELEVATED, "ratio_above_elevated")))
                .as("published before the onset was in the contract")
                .contains(new OpenIncident("inc-1", null, Level.ELEVATED));
    }

    @Test
    void theEventThatResolvedAnIncidentOrOneWithoutAnIncidentLeavesNothingOpen() {
        assertThat(OpenIncident.of(event("inc-1", ONSET, Level.OK, PressureChanged.REASON_INCIDENT_RESOLVED)))
                .isEmpty();
        assertThat(OpenIncident.of(event(null, null, Level.OK, PressureChanged.REASON_HEARTBEAT)))
                .isEmpty();
    }

    private static PressureChanged event(String incidentId, Instant startedAt, Level level, String reason) {
        return new PressureChanged(
                "orders-db",
                incidentId,
                startedAt,
                level,
                level,
                false,
                reason,
                LAST,
                1.0,
                Capacity.of(103, 3, 0),
                new Connections(50, 0, 50, 0, 0, 0, 0, 6, 0),
                0.5,
                List.of(),
                List.of(),
                List.of(),
                null,
                List.of(),
                null,
                null);
    }
}
