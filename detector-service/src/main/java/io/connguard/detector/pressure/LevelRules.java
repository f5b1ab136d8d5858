package io.connguard.detector.pressure;

import java.time.Duration;

/**
 * Thresholds of the level state machine: usage ratios of usable capacity, and how long pooler clients may queue.
 *
 * <p>Invariant: {@code clear < elevated <= critical}, checked here so a bad configuration fails at start-up.
 */
public record LevelRules(double elevated, double critical, double clear, Duration holdDown, Duration poolerMaxWait) {

    public LevelRules {
        if (!(clear < elevated)) {
            throw new IllegalArgumentException("clear (" + clear + ") must be below elevated (" + elevated + ")");
        }
        if (!(elevated <= critical)) {
            throw new IllegalArgumentException(
                    "elevated (" + elevated + ") must not be above critical (" + critical + ")");
        }
        if (holdDown.isNegative()) {
            throw new IllegalArgumentException("hold-down must not be negative");
        }
        if (poolerMaxWait.isNegative()) {
            throw new IllegalArgumentException("pooler-max-wait must not be negative");
        }
    }

    /** The runbook's defaults: alert at 80 %, act at 95 %, clear below 70 %; pooler clients may queue 2 s. */
    public static LevelRules defaults() {
        return new LevelRules(0.80, 0.95, 0.70, Duration.ofSeconds(5), Duration.ofSeconds(2));
    }
}
