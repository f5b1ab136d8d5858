package io.connguard.mitigator.action.http;

import java.time.Duration;
import java.time.Instant;

/**
 * A token bucket on a caller's clock: holds at most {@code burst} tokens, one more every {@code every}. Thread-safe:
 * every target's actor may post through the same webhook.
 */
final class TokenBucket {

    private final int burst;
    private final long everyNanos;
    private double tokens;
    private Instant last;

    TokenBucket(int burst, Duration every) {
        if (burst < 1 || every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException("a token bucket needs burst >= 1 and a positive refill period");
        }
        this.burst = burst;
        this.everyNanos = every.toNanos();
        this.tokens = burst;
    }

    /** Takes a token if there is one at {@code now}. */
    synchronized boolean tryTake(Instant now) {
        if (last != null && now.isAfter(last)) {
            tokens = Math.min(
                    burst, tokens + (double) Duration.between(last, now).toNanos() / everyNanos);
        }
        if (last == null || now.isAfter(last)) {
            last = now;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
