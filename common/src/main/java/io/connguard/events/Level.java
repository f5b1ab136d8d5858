package io.connguard.events;

/**
 * Connection pressure of a target as judged by the detector.
 *
 * <p>{@link #OK}, {@link #ELEVATED} and {@link #CRITICAL} are ordered by severity. {@link #UNKNOWN} is
 * outside that order: it means the detector could not sample the target (the probe failed or timed out),
 * not that the pressure is low or high, so it is neither above nor below any other level. Consumers must
 * not treat UNKNOWN as OK.
 *
 * <p>The set of values is closed for {@code io.connguard.pressure.changed.v1}; a new level would be a new
 * event type version.
 */
public enum Level {
    /** Connections are below the elevated threshold (or fell back below the clear threshold). */
    OK(0),
    /** Connections crossed the elevated threshold; mitigation starts with the gentle steps. */
    ELEVATED(1),
    /** Connections crossed the critical threshold or new connections are being refused. */
    CRITICAL(2),
    /** No sample: the probe failed. The event's {@code error} says why. */
    UNKNOWN(-1);

    private final int severity;

    Level(int severity) {
        this.severity = severity;
    }

    /**
     * Whether this level is strictly more severe than {@code other}. Always {@code false} when either
     * side is {@link #UNKNOWN} (or {@code other} is null), because an unknown level has no severity.
     */
    public boolean isAbove(Level other) {
        return other != null && isKnown() && other.isKnown() && severity > other.severity;
    }

    /** Whether this level is a measured severity, i.e. not {@link #UNKNOWN}. */
    public boolean isKnown() {
        return this != UNKNOWN;
    }
}
