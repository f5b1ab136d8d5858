package io.connguard.mitigator.policy;

import io.connguard.events.Level;
import io.connguard.events.PressureChanged;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What the detector publishes for one target, with its default thresholds and timings (detector-service's
 * {@code DetectorConfig}, {@code LevelStateMachine}, {@code IncidentTracker}): ELEVATED at 0.80, CRITICAL at 0.95, a
 * raised level clears only below 0.70 after holding 5 s, an incident resolves after 30 s of OK, an event on every level
 * change, every 5 s while above OK or while an incident is open, and a heartbeat every 30 s otherwise. A model for
 * driving the pure engine with a controlled clock; the detector's own tests cover the detector.
 */
final class DetectorModel {

    private static final double ELEVATED = 0.80;
    private static final double CRITICAL = 0.95;
    private static final double CLEAR = 0.70;
    private static final Duration HOLD_DOWN = Duration.ofSeconds(5);
    private static final Duration RESOLVE_AFTER = Duration.ofSeconds(30);
    private static final Duration PERIODIC = Duration.ofSeconds(5);
    private static final Duration HEARTBEAT = Duration.ofSeconds(30);

    private final String target;
    private final int idleInTransaction;
    private Level level = Level.OK;
    private Level pendingLower;
    private Instant pendingSince;
    private String incident;
    private int incidents;
    private Instant okSince;
    private Instant lastPublished;

    DetectorModel(String target, int idleInTransaction) {
        this.target = target;
        this.idleInTransaction = idleInTransaction;
    }

    /** One probe of the target at {@code ratio}; the event the detector publishes for it, if any. */
    Optional<PressureChanged> observe(double ratio, Instant now) {
        Level before = level;
        level = next(candidate(ratio), now);
        String reason = null;
        if (level != before) {
            reason = level == Level.OK
                    ? "below_clear_threshold"
                    : level == Level.CRITICAL ? "ratio_above_critical" : "ratio_above_elevated";
        }
        String incidentOfEvent = incident;
        if (level.isAbove(Level.OK)) {
            okSince = null;
            if (incident == null) {
                incident = target + "-incident-" + ++incidents;
            }
            incidentOfEvent = incident;
        } else if (incident != null) {
            okSince = okSince == null ? now : okSince;
            if (!now.isBefore(okSince.plus(RESOLVE_AFTER))) {
                reason = PressureChanged.REASON_INCIDENT_RESOLVED;
                incident = null;
                okSince = null;
            }
        }
        if (reason == null) {
            Duration every = level.isAbove(Level.OK) || incident != null ? PERIODIC : HEARTBEAT;
            if (lastPublished != null && now.isBefore(lastPublished.plus(every))) {
                return Optional.empty();
            }
            reason = every == PERIODIC ? PressureChanged.REASON_PERIODIC : "heartbeat";
        }
        lastPublished = now;
        int connections = (int) Math.round(ratio * 100);
        return Optional.of(Pressure.sampledAt(
                Pressure.sample(target, incidentOfEvent, level, connections, idleInTransaction, reason), now));
    }

    private Level candidate(double ratio) {
        if (ratio >= CRITICAL) {
            return Level.CRITICAL;
        }
        if (ratio >= ELEVATED || (ratio >= CLEAR && level.isAbove(Level.OK))) {
            return Level.ELEVATED;
        }
        return Level.OK;
    }

    // escalation is immediate; stepping down needs the lower level to hold for the hold-down
    private Level next(Level candidate, Instant now) {
        if (!level.isAbove(candidate)) {
            pendingLower = null;
            return candidate;
        }
        if (pendingLower != candidate) {
            pendingLower = candidate;
            pendingSince = now;
        }
        return now.isBefore(pendingSince.plus(HOLD_DOWN)) ? level : candidate;
    }
}
