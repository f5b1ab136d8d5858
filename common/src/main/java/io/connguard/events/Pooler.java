package io.connguard.events;

/**
 * Connection pooler (PgBouncer) state for the target's pool, from {@code SHOW POOLS}.
 *
 * @param clientsActive client connections paired with a server connection ({@code cl_active})
 * @param clientsWaiting client connections queued for a server connection ({@code cl_waiting})
 * @param maxWaitMs how long the oldest waiting client has waited ({@code maxwait}); absent when none wait
 * @param serverConnections server connections the pooler holds to the database (active + idle + used)
 */
public record Pooler(int clientsActive, int clientsWaiting, Long maxWaitMs, int serverConnections) {}
