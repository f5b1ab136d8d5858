package io.connguard.detector.pressure;

import java.time.Duration;

/** What one probe attempt saw, reduced to what the level rules need. */
public sealed interface Observation {

    /**
     * The probe read pg_stat_activity: client connections over usable capacity, and how long the oldest pooler client
     * has been queued ({@link Duration#ZERO} when none waits or no pooler is configured).
     */
    record Measured(double ratio, Duration poolerWait) implements Observation {
        public Measured(double ratio) {
            this(ratio, Duration.ZERO);
        }
    }

    /** The server (or pooler) refused a connection for lack of slots: exhaustion seen from the outside. */
    record Refused(String error) implements Observation {}

    /** The probe could not sample for another reason; never read as OK. */
    record Failed(String error) implements Observation {}
}
