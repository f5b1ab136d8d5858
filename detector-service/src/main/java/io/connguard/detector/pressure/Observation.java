package io.connguard.detector.pressure;

/** What one probe attempt saw, reduced to what the level rules need. */
public sealed interface Observation {

    /** The probe read pg_stat_activity: client connections over usable capacity. */
    record Measured(double ratio) implements Observation {}

    /** The server refused a connection (SQLSTATE 53300): exhaustion seen from the outside. */
    record Refused(String error) implements Observation {}

    /** The probe could not sample for another reason; never read as OK. */
    record Failed(String error) implements Observation {}
}
