package io.connguard.detector.incident;

import io.connguard.events.Level;
import io.connguard.events.PressureChanged;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An incident a previous run of the detector left open, as its last event of the target shows it: the id, when it
 * opened ({@code null} when that event predates the field) and the level it had reached. A restarted detector continues
 * it, so one incident keeps one id and one postmortem.
 */
public record OpenIncident(String incidentId, Instant startedAt, Level level) {

    public OpenIncident {
        Objects.requireNonNull(incidentId, "incidentId must not be null");
        Objects.requireNonNull(level, "level must not be null");
    }

    /**
     * The incident a target's last event leaves open: one that carries an incident id and is not the event that
     * resolved it. Empty otherwise.
     */
    public static Optional<OpenIncident> of(PressureChanged last) {
        if (last.incidentId() == null || PressureChanged.REASON_INCIDENT_RESOLVED.equals(last.reason())) {
            return Optional.empty();
        }
        return Optional.of(new OpenIncident(last.incidentId(), last.incidentStartedAt(), last.level()));
    }
}
