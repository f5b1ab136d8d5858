package io.connguard.detector.probe;

import java.time.Duration;

/** Exponential reconnection backoff: {@code initial}, doubling per consecutive failure, capped at {@code max}. */
public record Backoff(Duration initial, Duration max) {

    public Backoff {
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("initial backoff must be positive: " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max backoff (" + max + ") must not be below initial (" + initial + ")");
        }
    }

    /** The wait after the {@code failures}-th consecutive failure (1 for the first). */
    public Duration after(int failures) {
        Duration delay = initial;
        for (int i = 1; i < failures && delay.compareTo(max) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(max) > 0 ? max : delay;
    }
}
