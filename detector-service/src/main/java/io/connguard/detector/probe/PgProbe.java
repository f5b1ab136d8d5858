package io.connguard.detector.probe;

import io.connguard.detector.config.DetectorConfig;
import io.connguard.detector.redaction.QueryRedactor;
import io.connguard.events.BlockedSession;
import io.connguard.events.Capacity;
import io.connguard.events.ClientShare;
import io.connguard.events.Connections;
import io.connguard.events.IdleInTransaction;
import io.connguard.events.SessionInfo;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Samples one target over ONE persistent connection (see {@link ReconnectingConnection}), so the detector holds its
 * slot while every other client is refused. The statement is prepared once per connection ({@link SampleQuery}).
 * Callers serialise calls to {@link #sample()}.
 */
public final class PgProbe implements AutoCloseable {

    static final String APPLICATION_NAME = "connguard-detector";

    private static final int SAMPLE_SQL_CACHE_LIMIT = 16_384;

    /** SQLSTATE too_many_connections. */
    private static final String TOO_MANY_CONNECTIONS = "53300";
    /** What PgBouncer answers when its own client limit is reached (it has no SQLSTATE of its own for it). */
    private static final String POOLER_REFUSAL = "no more connections allowed";

    private final DetectorConfig.Target target;
    private final Clock clock;
    private final QueryRedactor redactor;
    private final String sql;
    private final ReconnectingConnection connection;

    public PgProbe(Vertx vertx, DetectorConfig.Target target, DetectorConfig.Probe probe, Clock clock) {
        this.target = target;
        this.clock = clock;
        this.redactor = new QueryRedactor(probe.maxQueryLength());
        this.sql = SampleQuery.sql(probe.topClients(), probe.topSessions());
        ResponseDeadline deadline = ResponseDeadline.forStatementTimeout(vertx, probe.statementTimeout());
        this.connection = new ReconnectingConnection(
                vertx,
                () -> connectOptions(target, probe, deadline),
                new Backoff(probe.reconnectInitialBackoff(), probe.reconnectMaxBackoff()),
                deadline,
                clock);
    }

    public Uni<ProbeSample> sample() {
        long started = System.nanoTime();
        Instant sampledAt = clock.instant();
        return connection
                .exchange(conn -> conn.preparedQuery(sql).execute())
                .map(rows -> toSample(rows.iterator().next(), sampledAt, (System.nanoTime() - started) / 1e6))
                .onFailure()
                .transform(PgProbe::classify);
    }

    private static PgConnectOptions connectOptions(
            DetectorConfig.Target target, DetectorConfig.Probe probe, ResponseDeadline deadline) {
        PgConnectOptions options = new PgConnectOptions()
                .setHost(target.host())
                .setPort(target.port())
                .setDatabase(target.database())
                .setUser(target.user())
                .setConnectTimeout((int) deadline.bound().toMillis())
                .setReconnectAttempts(0)
                .setCachePreparedStatements(true)
                // the sample statement is longer than the default 2048-character limit of the statement cache
                .setPreparedStatementCacheSqlLimit(SAMPLE_SQL_CACHE_LIMIT)
                // keep the probe's own session harmless: it can never hold a lock or run long
                .setProperties(Map.of(
                        "application_name",
                        APPLICATION_NAME,
                        "statement_timeout",
                        Long.toString(probe.statementTimeout().toMillis()),
                        "lock_timeout",
                        Long.toString(probe.lockTimeout().toMillis()),
                        "idle_in_transaction_session_timeout",
                        "5000"));
        Passwords.resolve(target.passwordFile(), target.password()).ifPresent(options::setPassword);
        return options;
    }

    private ProbeSample toSample(Row row, Instant sampledAt, double durationMs) {
        int max = row.getInteger("max_connections");
        int superuserReserved = row.getInteger("superuser_reserved");
        int reserved = row.getInteger("reserved");
        int usable = target.capacityOverride().orElse(max - superuserReserved - reserved);
        Capacity capacity = new Capacity(
                max,
                superuserReserved,
                reserved,
                usable,
                row.getInteger("database_limit"),
                row.getInteger("role_limit"));
        int total = count(row, "total");
        int active = count(row, "active");
        int idle = count(row, "idle");
        int idleInTx = count(row, "idle_in_tx");
        int idleInTxAborted = count(row, "idle_in_tx_aborted");
        Connections connections = new Connections(
                total,
                active,
                idle,
                idleInTx,
                idleInTxAborted,
                total - active - idle - idleInTx - idleInTxAborted,
                count(row, "lock_waiters"),
                count(row, "background"),
                count(row, "replication_senders"));
        int idleInTransactionCount = idleInTx + idleInTxAborted;
        IdleInTransaction idleInTransaction = new IdleInTransaction(
                idleInTransactionCount, idleInTransactionCount == 0 ? null : row.getLong("idle_in_tx_oldest_ms"));
        return new ProbeSample(
                sampledAt,
                durationMs,
                capacity,
                connections,
                clients(json(row, "top_clients"), usable),
                sessions(json(row, "longest_queries")),
                sessions(json(row, "oldest_transactions")),
                idleInTransaction,
                blocked(json(row, "blocked")),
                null);
    }

    private static int count(Row row, String column) {
        return row.getLong(column).intValue();
    }

    private static JsonArray json(Row row, String column) {
        Object value = row.getValue(column);
        return value instanceof JsonArray array ? array : new JsonArray(value.toString());
    }

    private static List<ClientShare> clients(JsonArray groups, int usable) {
        List<ClientShare> clients = new ArrayList<>(groups.size());
        for (int i = 0; i < groups.size(); i++) {
            JsonObject g = groups.getJsonObject(i);
            int connections = g.getInteger("n");
            double share = usable <= 0 ? 1.0 : (double) connections / usable;
            clients.add(
                    new ClientShare(g.getString("app"), g.getString("usr"), g.getString("addr"), connections, share));
        }
        return clients;
    }

    private List<SessionInfo> sessions(JsonArray rows) {
        List<SessionInfo> sessions = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            JsonObject s = rows.getJsonObject(i);
            QueryRedactor.Redacted query = redactor.redact(s.getString("query"));
            sessions.add(new SessionInfo(
                    s.getInteger("pid"),
                    s.getString("usr"),
                    s.getString("app"),
                    s.getString("addr"),
                    s.getString("db"),
                    s.getString("state"),
                    s.getLong("query_ms"),
                    s.getLong("xact_ms"),
                    s.getString("wet"),
                    s.getString("we"),
                    query.query(),
                    query.fingerprint()));
        }
        return sessions;
    }

    private static List<BlockedSession> blocked(JsonArray rows) {
        List<BlockedSession> blocked = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            JsonObject b = rows.getJsonObject(i);
            List<Integer> by = new ArrayList<>();
            JsonArray pids = b.getJsonArray("blocked_by");
            for (int j = 0; pids != null && j < pids.size(); j++) {
                by.add(pids.getInteger(j));
            }
            blocked.add(new BlockedSession(b.getInteger("pid"), by, b.getLong("waiting_ms")));
        }
        return blocked;
    }

    static ProbeException classify(Throwable failure) {
        String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        boolean refused = failure instanceof PgException pg && TOO_MANY_CONNECTIONS.equals(pg.getSqlState())
                || message.contains(POOLER_REFUSAL);
        return new ProbeException(message, refused, failure);
    }

    @Override
    public void close() {
        connection.close();
    }
}
