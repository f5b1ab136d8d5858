package io.connguard.detector.probe;

/**
 * The probe's one statement: a single pass over {@code pg_stat_activity} (materialized once, without per-row
 * conversions) that returns the settings, the counts, the top client groups and sessions as JSON, and the blockers of
 * lock waiters. One round trip; {@code pg_blocking_pids()} runs only for backends that wait on a lock, so it costs
 * nothing when nobody waits (the classic pg_locks self-join is never used: it grows superlinearly with backends).
 * Settings come from {@code current_setting()}, cheaper than {@code pg_settings}. Needs PostgreSQL 12+ and
 * {@code pg_monitor} (without it other roles' query text reads {@code <insufficient privilege>}).
 */
final class SampleQuery {

    private static final String SESSION_COLUMNS = """
            pid, usename AS usr, nullif(application_name, '') AS app, host(client_addr) AS addr, datname AS db,
                          state, greatest(0, (extract(epoch FROM now() - query_start) * 1000)::bigint) AS query_ms,
                          greatest(0, (extract(epoch FROM now() - xact_start) * 1000)::bigint) AS xact_ms,
                          wait_event_type AS wet, wait_event AS we, query""";

    private SampleQuery() {}

    /** The statement for the given list sizes (validated integers, never user text). */
    static String sql(int topClients, int topSessions) {
        return """
                WITH a AS MATERIALIZED (
                    SELECT pid, backend_type = 'client backend' AS client, backend_type, state, wait_event_type,
                           wait_event, usename, usesysid, application_name, client_addr, datname, query_start,
                           xact_start, query
                    FROM pg_stat_activity)
                SELECT current_setting('max_connections')::int AS max_connections,
                       current_setting('superuser_reserved_connections')::int AS superuser_reserved,
                       coalesce(current_setting('reserved_connections', true), '0')::int AS reserved,
                       (SELECT nullif(datconnlimit, -1) FROM pg_database WHERE datname = current_database())
                           AS database_limit,
                       (SELECT min(rolconnlimit) FROM pg_roles
                         WHERE rolconnlimit >= 0 AND oid IN (SELECT usesysid FROM a WHERE client)) AS role_limit,
                       c.*,
                       (SELECT coalesce(json_agg(g), '[]') FROM (
                           SELECT nullif(application_name, '') AS app, usename AS usr, host(client_addr) AS addr,
                                  count(*) AS n
                           FROM a WHERE client GROUP BY application_name, usename, client_addr
                           ORDER BY n DESC, 1, 2, 3 LIMIT %1$d) g) AS top_clients,
                       (SELECT coalesce(json_agg(s), '[]') FROM (
                           SELECT %3$s
                           FROM a WHERE client AND state = 'active' AND pid <> pg_backend_pid()
                                    AND query_start IS NOT NULL
                           ORDER BY query_start LIMIT %2$d) s) AS longest_queries,
                       (SELECT coalesce(json_agg(s), '[]') FROM (
                           SELECT %3$s
                           FROM a WHERE client AND xact_start IS NOT NULL AND pid <> pg_backend_pid()
                           ORDER BY xact_start LIMIT %2$d) s) AS oldest_transactions,
                       (SELECT coalesce(json_agg(b), '[]') FROM (
                           SELECT pid, pg_blocking_pids(pid) AS blocked_by,
                                  greatest(0, (extract(epoch FROM now() - query_start) * 1000)::bigint) AS waiting_ms
                           FROM a WHERE client AND wait_event_type = 'Lock' ORDER BY query_start) b) AS blocked
                FROM (SELECT count(*) FILTER (WHERE client) AS total,
                             count(*) FILTER (WHERE client AND state = 'active') AS active,
                             count(*) FILTER (WHERE client AND state = 'idle') AS idle,
                             count(*) FILTER (WHERE client AND state = 'idle in transaction') AS idle_in_tx,
                             count(*) FILTER (WHERE client AND state = 'idle in transaction (aborted)')
                                 AS idle_in_tx_aborted,
                             count(*) FILTER (WHERE client AND wait_event_type = 'Lock') AS lock_waiters,
                             (extract(epoch FROM now() - min(xact_start) FILTER (
                                 WHERE client AND state LIKE 'idle in transaction%%')) * 1000)::bigint
                                 AS idle_in_tx_oldest_ms,
                             count(*) FILTER (WHERE backend_type = 'walsender') AS replication_senders,
                             count(*) FILTER (WHERE NOT client AND backend_type <> 'walsender') AS background
                      FROM a) c
                """.formatted(topClients, topSessions, SESSION_COLUMNS);
    }
}
