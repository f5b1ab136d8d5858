package io.connguard.events;

/**
 * Backends of the target at sample time, from {@code pg_stat_activity}.
 *
 * <p>{@code total} counts client backends only and is the numerator of {@link PressureChanged#ratio()};
 * {@code active + idle + idleInTransaction + idleInTransactionAborted + other == total}. Background
 * processes and WAL senders are reported separately and are not part of {@code total}.
 *
 * @param total client backends ({@code backend_type = 'client backend'})
 * @param active client backends in state {@code active}
 * @param idle client backends in state {@code idle}
 * @param idleInTransaction client backends in state {@code idle in transaction}
 * @param idleInTransactionAborted client backends in state {@code idle in transaction (aborted)}
 * @param other client backends in any other state ({@code fastpath function call}, {@code disabled}, null)
 * @param lockWaiters client backends waiting on a heavyweight lock ({@code wait_event_type = 'Lock'})
 * @param backgroundProcesses non-client backends other than WAL senders (autovacuum, checkpointer, ...)
 * @param replicationSenders WAL sender processes
 */
public record Connections(
        int total,
        int active,
        int idle,
        int idleInTransaction,
        int idleInTransactionAborted,
        int other,
        int lockWaiters,
        int backgroundProcesses,
        int replicationSenders) {}
