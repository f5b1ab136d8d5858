package io.connguard.audit.ingest;

/** A record that is not a storable event, and why. */
public record Quarantined(RawRecord record, String reason) {}
