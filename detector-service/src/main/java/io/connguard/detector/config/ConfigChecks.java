package io.connguard.detector.config;

import io.connguard.detector.pressure.LevelRules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks that span several keys, which per-key bean validation cannot express (threshold order, backoff bounds), and
 * durations that must be positive (bean validation has no constraint for {@link Duration}).
 * SmallRye Config already rejects unknown {@code connguard.detector.*} keys and bean-validation violations before
 * this runs; whatever is found here stops start-up the same way, naming every offending key.
 */
public final class ConfigChecks {

    private static final String PREFIX = "connguard.detector.";

    private ConfigChecks() {}

    /** Throws {@link IllegalStateException} listing every problem when the configuration is inconsistent. */
    public static void check(DetectorConfig config) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, DetectorConfig.Target> target : config.targets().entrySet()) {
            try {
                levelRules(target.getKey(), target.getValue().thresholds());
            } catch (IllegalStateException e) {
                problems.add(e.getMessage());
            }
        }
        positive("periodic-update", config.periodicUpdate(), problems);
        positive("heartbeat", config.heartbeat(), problems);
        positive("restore.lookback", config.restore().lookback(), problems);
        positive("restore.timeout", config.restore().timeout(), problems);
        DetectorConfig.Probe probe = config.probe();
        // the order of the backoff bounds means something only with a valid lower bound
        if (positive("probe.reconnect-initial-backoff", probe.reconnectInitialBackoff(), problems)
                && probe.reconnectMaxBackoff().compareTo(probe.reconnectInitialBackoff()) < 0) {
            problems.add(PREFIX + "probe.reconnect-max-backoff: must not be below probe.reconnect-initial-backoff ("
                    + probe.reconnectMaxBackoff() + " < " + probe.reconnectInitialBackoff() + ")");
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("invalid configuration:\n\t" + String.join("\n\t", problems));
        }
    }

    private static boolean positive(String key, Duration value, List<String> problems) {
        if (value.isZero() || value.isNegative()) {
            problems.add(PREFIX + key + ": must be positive, is " + value);
            return false;
        }
        return true;
    }

    /** The level rules of one target, or an {@link IllegalStateException} naming the target's threshold keys. */
    public static LevelRules levelRules(String targetId, DetectorConfig.Thresholds t) {
        try {
            return new LevelRules(t.elevated(), t.critical(), t.clear(), t.holdDown(), t.poolerMaxWait());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(
                    PREFIX + "targets." + targetId + ".thresholds: " + e.getMessage()
                            + " (required: clear < elevated <= critical)",
                    e);
        }
    }
}
