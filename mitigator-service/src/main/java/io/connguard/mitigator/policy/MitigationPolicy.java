package io.connguard.mitigator.policy;

import io.connguard.events.ActionEvent;
import io.connguard.events.CloudEvent;
import io.connguard.events.Command;
import io.connguard.events.Mode;
import io.connguard.events.Outcome;
import io.connguard.events.PressureChanged;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Decides what to do about one pressure event. Pure: no I/O, time from the injected clock. The action id derives
 * from the causing event's id and the step, so a redelivered event yields the same decisions with the same ids.
 */
public final class MitigationPolicy {

    private final Clock clock;

    public MitigationPolicy(Clock clock) {
        this.clock = clock;
    }

    public List<ActionEvent> decide(CloudEvent<PressureChanged> event) {
        PressureChanged pressure = event.data();
        Instant now = clock.instant();
        String actionId =
                UUID.nameUUIDFromBytes((event.id() + "/observe").getBytes()).toString();
        return List.of(new ActionEvent(
                actionId,
                pressure.targetId(),
                pressure.incidentId(),
                event.id(),
                "observe",
                ActionEvent.ACTION_NONE,
                Mode.ENFORCE,
                Outcome.NOOP,
                new Command("none", "none", null),
                null,
                null,
                null,
                "no mitigation step applies to level " + pressure.level(),
                null,
                now,
                now,
                0L));
    }
}
