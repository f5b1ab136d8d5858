package io.connguard.events;

/**
 * One backend worth looking at: a long-running query or an old transaction. This is the evidence a
 * human (or the mitigator's cancel and terminate steps) needs to decide about the session.
 *
 * <p>{@code query} is redacted by the detector before it leaves the database host: literals are replaced
 * by placeholders and the text is truncated. Sessions with equal {@code queryFingerprint} run the same
 * statement shape.
 *
 * @param pid backend process id
 * @param user role name
 * @param applicationName {@code application_name}; absent when empty
 * @param clientAddr client address; absent for Unix-socket connections
 * @param database database name
 * @param state {@code pg_stat_activity.state} ({@code active}, {@code idle in transaction}, ...)
 * @param queryDurationMs time since {@code query_start}; absent when no query started
 * @param transactionDurationMs time since {@code xact_start}; absent outside a transaction
 * @param waitEventType {@code wait_event_type}; absent when not waiting
 * @param waitEvent {@code wait_event}; absent when not waiting
 * @param query redacted, truncated query text
 * @param queryFingerprint stable hash of the normalized statement
 */
public record SessionInfo(
        int pid,
        String user,
        String applicationName,
        String clientAddr,
        String database,
        String state,
        Long queryDurationMs,
        Long transactionDurationMs,
        String waitEventType,
        String waitEvent,
        String query,
        String queryFingerprint) {}
