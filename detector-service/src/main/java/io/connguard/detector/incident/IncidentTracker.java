package io.connguard.detector.incident;

import io.connguard.events.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The incident lifecycle of one target: an incident opens when the target leaves OK for ELEVATED or CRITICAL, and
 * resolves once OK has held for {@code resolveAfter}. A relapse before that keeps the same incident. UNKNOWN neither
 * opens nor resolves one: not being able to see is not evidence either way. Pure; not thread-safe.
 */
public final class IncidentTracker {

    private final Duration resolveAfter;
    private final Supplier<String> ids;
    private String incidentId;
    private Instant okSince;

    public IncidentTracker(Duration resolveAfter) {
        this(resolveAfter, () -> UUID.randomUUID().toString());
    }

    IncidentTracker(Duration resolveAfter, Supplier<String> ids) {
        this.resolveAfter = resolveAfter;
        this.ids = ids;
    }

    /** Records the current level and tells what happened to the incident. */
    public Update observe(Level level, Instant now) {
        switch (level) {
            case ELEVATED, CRITICAL -> {
                okSince = null;
                if (incidentId == null) {
                    incidentId = ids.get();
                    return new Update(incidentId, Change.OPENED);
                }
                return new Update(incidentId, Change.NONE);
            }
            case OK -> {
                if (incidentId == null) {
                    return new Update(null, Change.NONE);
                }
                if (okSince == null) {
                    okSince = now;
                }
                if (!now.isBefore(okSince.plus(resolveAfter))) {
                    String resolved = incidentId;
                    incidentId = null;
                    okSince = null;
                    return new Update(resolved, Change.RESOLVED);
                }
                return new Update(incidentId, Change.NONE);
            }
            default -> {
                return new Update(incidentId, Change.NONE);
            }
        }
    }

    public String currentIncident() {
        return incidentId;
    }

    public enum Change {
        NONE,
        OPENED,
        RESOLVED
    }

    /** The incident an event belongs to (null outside incidents) and whether this observation opened or resolved it. */
    public record Update(String incidentId, Change change) {}
}
