package io.connguard.mitigator.policy;

import java.time.Instant;
import java.util.Locale;

/**
 * The mitigator's own reading of a target, taken over the persistent connection it already holds: client backends
 * against usable capacity, or the fact that the server turned a new connection away as full (SQLSTATE 53300), which
 * is exhaustion beyond doubt.
 *
 * @param took how long the reading took, in milliseconds (its cost per confirmed action)
 */
public record OwnSample(int clientBackends, int usable, boolean refused, Instant takenAt, double took) {

    public static OwnSample of(int clientBackends, int usable, Instant takenAt, double took) {
        return new OwnSample(clientBackends, usable, false, takenAt, took);
    }

    public static OwnSample refusedAt(Instant takenAt, double took) {
        return new OwnSample(0, 0, true, takenAt, took);
    }

    /** Client backends over usable capacity; 1 when the server refused us, or has no usable capacity at all. */
    public double ratio() {
        return refused || usable <= 0 ? 1.0 : clientBackends / (double) usable;
    }

    @Override
    public String toString() {
        return refused
                ? "the server refused a new connection (53300)"
                : String.format(Locale.ROOT, "%d/%d client backends (ratio %.2f)", clientBackends, usable, ratio());
    }
}
