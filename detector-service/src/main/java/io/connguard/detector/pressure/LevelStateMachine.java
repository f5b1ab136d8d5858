package io.connguard.detector.pressure;

import io.connguard.events.Level;
import io.connguard.events.PressureChanged;
import java.time.Instant;

/**
 * The level of one target: OK, ELEVATED, CRITICAL, or UNKNOWN when it cannot be sampled.
 *
 * <p>A ratio at or above {@link LevelRules#critical()}, or pooler clients queued longer than
 * {@link LevelRules#poolerMaxWait()}, is CRITICAL. Escalation is immediate. Stepping down needs the lower level to hold for {@link LevelRules#holdDown()}, and a
 * raised level only clears below {@link LevelRules#clear()} (hysteresis). Pure: time comes in with each observation.
 * Not thread-safe: each target's monitor owns one.
 */
public final class LevelStateMachine {

    /** Reason of a CRITICAL level raised because pooler clients queue too long (the contract's open reason set). */
    public static final String REASON_POOLER_WAITING = "pooler_waiting";

    static final String REASON_HOLDING = "holding";

    private final LevelRules rules;
    private Level level = Level.OK;
    private Level pendingLower;
    private Instant pendingSince;

    public LevelStateMachine(LevelRules rules) {
        this.rules = rules;
    }

    public Level level() {
        return level;
    }

    /**
     * Continues from the level a previous run of the detector had reached (from its last event), so that hysteresis and
     * hold-down apply as if it had never stopped. Call before the first observation.
     */
    public void restore(Level restored) {
        level = restored;
        pendingLower = null;
        pendingSince = null;
    }

    /** Feeds one observation and returns the resulting level, changed or not. */
    public Transition observe(Observation observation, Instant now) {
        if (observation instanceof Observation.Measured measured) {
            return measured(measured, now);
        }
        return observation instanceof Observation.Refused
                ? moveTo(Level.CRITICAL, PressureChanged.REASON_CONNECTIONS_REFUSED)
                : moveTo(Level.UNKNOWN, PressureChanged.REASON_PROBE_FAILED);
    }

    private Transition measured(Observation.Measured measured, Instant now) {
        Level byRatio = candidate(measured.ratio());
        boolean poolerQueued = measured.poolerWait().compareTo(rules.poolerMaxWait()) > 0;
        Level candidate = poolerQueued ? Level.CRITICAL : byRatio;
        String reason = poolerQueued && byRatio != Level.CRITICAL ? REASON_POOLER_WAITING : reason(candidate);
        if (level == Level.UNKNOWN || severity(candidate) >= severity(level)) {
            return moveTo(candidate, reason);
        }
        if (pendingLower != candidate) {
            pendingLower = candidate;
            pendingSince = now;
        }
        if (!now.isBefore(pendingSince.plus(rules.holdDown()))) {
            return moveTo(candidate, reason);
        }
        return new Transition(level, level, REASON_HOLDING, false);
    }

    private Level candidate(double ratio) {
        if (ratio >= rules.critical()) {
            return Level.CRITICAL;
        }
        if (ratio >= rules.elevated()) {
            return Level.ELEVATED;
        }
        // hysteresis: between clear and elevated a raised level stays ELEVATED
        boolean raised = level == Level.ELEVATED || level == Level.CRITICAL;
        return raised && ratio >= rules.clear() ? Level.ELEVATED : Level.OK;
    }

    private static String reason(Level candidate) {
        return switch (candidate) {
            case CRITICAL -> "ratio_above_critical";
            case ELEVATED -> "ratio_above_elevated";
            default -> "below_clear_threshold";
        };
    }

    private Transition moveTo(Level next, String reason) {
        pendingLower = null;
        pendingSince = null;
        Level previous = level;
        level = next;
        return new Transition(next, previous, reason, next != previous);
    }

    private static int severity(Level level) {
        return switch (level) {
            case OK -> 0;
            case ELEVATED -> 1;
            case CRITICAL -> 2;
            case UNKNOWN -> -1;
        };
    }

    /** The outcome of one observation. */
    public record Transition(Level level, Level previous, String reason, boolean changed) {}
}
