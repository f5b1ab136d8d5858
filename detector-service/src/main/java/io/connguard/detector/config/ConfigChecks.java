package io.connguard.detector.config;

import io.connguard.detector.pressure.LevelRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks that span several keys, which per-key bean validation cannot express (threshold order, backoff bounds).
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
        DetectorConfig.Probe probe = config.probe();
        if (probe.reconnectInitialBackoff().isZero()
                || probe.reconnectInitialBackoff().isNegative()) {
            problems.add(PREFIX + "probe.reconnect-initial-backoff: must be positive, is "
                    + probe.reconnectInitialBackoff());
        } else if (probe.reconnectMaxBackoff().compareTo(probe.reconnectInitialBackoff()) < 0) {
            problems.add(PREFIX + "probe.reconnect-max-backoff: must not be below probe.reconnect-initial-backoff ("
                    + probe.reconnectMaxBackoff() + " < " + probe.reconnectInitialBackoff() + ")");
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("invalid configuration:\n\t" + String.join("\n\t", problems));
        }
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
