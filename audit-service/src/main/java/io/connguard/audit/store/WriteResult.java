package io.connguard.audit.store;

/** What one batch write did: rows added, events already stored (redeliveries), records quarantined. */
public record WriteResult(int stored, int duplicates, int quarantined) {}
