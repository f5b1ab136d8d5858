package io.connguard.events;

/**
 * Sessions sitting in an open transaction without running anything (they hold a connection and often
 * locks).
 *
 * @param count client backends in state {@code idle in transaction} or {@code idle in transaction
 *     (aborted)}
 * @param oldestAgeMs age of the oldest such transaction ({@code now() - xact_start}); absent when count is 0
 */
public record IdleInTransaction(int count, Long oldestAgeMs) {}
