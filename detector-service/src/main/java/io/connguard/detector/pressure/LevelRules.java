package io.connguard.detector.pressure;

import java.time.Duration;

/**
 * Thresholds of the level state machine, as usage ratios of usable capacity.
 *
 * <p>Invariant: {@code clear < elevated <= critical}, checked here so a bad configuration fails at start-up.
 */
public record LevelRules(double elevated, double critical, double clear, Duration holdDown) {

    public LevelRules {
        if (!(clear < elevated)) {
            throw new IllegalArgumentException("clear (" + clear + ") must be below elevated (" + elevated + ")");
        }
        if (!(elevated <= critical)) {
            throw new IllegalArgumentException(
                    "elevated (" + elevated + ") must not be above critical (" + critical + ")");
        }
        if (holdDown.isNegative()) {
            throw new IllegalArgumentException("holdDown must not be negative");
        }
    }

    /** The runbook's defaults: alert at 80 %, act at 95 %, clear below 70 %. */
    public static LevelRules defaults() {
        return new LevelRules(0.80, 0.95, 0.70, Duration.ofSeconds(5));
    }
}
