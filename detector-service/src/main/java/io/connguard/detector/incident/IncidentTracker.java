package io.connguard.detector.incident;

import io.connguard.events.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The incident lifecycle of one target: an incident opens when the target leaves OK for ELEVATED or CRITICAL, and
 * resolves once OK has held for {@code resolveAfter}. A relapse before that keeps the same incident. UNKNOWN neither
 * opens nor resolves one: not being able to see is not evidence either way. An incident that a previous run left open
 * is continued after {@link #restore}. Pure; not thread-safe.
 */
public final class IncidentTracker {

    private final Duration resolveAfter;
    private final Supplier<String> ids;
    private String incidentId;
    private Instant startedAt;
    private Instant okSince;

    public IncidentTracker(Duration resolveAfter) {
        this(resolveAfter, () -> UUID.randomUUID().toString());
    }

    IncidentTracker(Duration resolveAfter, Supplier<String> ids) {
        this.resolveAfter = resolveAfter;
        this.ids = ids;
    }

    /**
     * Continues an incident opened before a restart: it keeps its id and onset, and resolves once OK has held for
     * {@code resolveAfter} counted from the first OK observation after the restore. Call before the first observation.
     */
    public void restore(OpenIncident open) {
        incidentId = open.incidentId();
        startedAt = open.startedAt();
        okSince = null;
    }

    /** Records the current level and tells what happened to the incident. */
    public Update observe(Level level, Instant now) {
        switch (level) {
            case ELEVATED, CRITICAL -> {
                okSince = null;
                if (incidentId == null) {
                    incidentId = ids.get();
                    startedAt = now;
                    return current(Change.OPENED);
                }
                return current(Change.NONE);
            }
            case OK -> {
                if (incidentId == null) {
                    return current(Change.NONE);
                }
                if (okSince == null) {
                    okSince = now;
                }
                if (!now.isBefore(okSince.plus(resolveAfter))) {
                    Update resolved = current(Change.RESOLVED);
                    incidentId = null;
                    startedAt = null;
                    okSince = null;
                    return resolved;
                }
                return current(Change.NONE);
            }
            default -> {
                return current(Change.NONE);
            }
        }
    }

    private Update current(Change change) {
        return new Update(incidentId, startedAt, change);
    }

    public String currentIncident() {
        return incidentId;
    }

    public enum Change {
        NONE,
        OPENED,
        RESOLVED
    }

    /**
     * The incident an event belongs to and when it opened (both null outside incidents; the onset also when a restored
     * incident's onset is not known), and whether this observation opened or resolved it.
     */
    public record Update(String incidentId, Instant startedAt, Change change) {}
}
