package io.connguard.detector.probe;

import io.connguard.detector.config.DetectorConfig;
import io.connguard.events.Pooler;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.pgclient.PgConnectOptions;
import java.time.Clock;
import java.util.Optional;

/**
 * Reads {@code SHOW POOLS} from a PgBouncer admin console over a second persistent connection. The console only
 * speaks the simple query protocol and accepts no session settings, so the connection sends none. Callers serialise
 * calls to {@link #sample()}.
 */
public final class PgBouncerProbe implements AutoCloseable {

    /** The admin console's own pseudo-database; its pool says nothing about the application's. */
    private static final String ADMIN_DATABASE = "pgbouncer";

    private final Optional<String> database;
    private final ReconnectingConnection connection;

    public PgBouncerProbe(Vertx vertx, DetectorConfig.PgBouncer pgbouncer, DetectorConfig.Probe probe, Clock clock) {
        this.database = pgbouncer.database();
        // the console accepts no statement_timeout, but answers SHOW POOLS at once: the probe's bound fits it too
        ResponseDeadline deadline = ResponseDeadline.forStatementTimeout(vertx, probe.statementTimeout());
        this.connection = new ReconnectingConnection(
                vertx,
                () -> connectOptions(pgbouncer, deadline),
                new Backoff(probe.reconnectInitialBackoff(), probe.reconnectMaxBackoff()),
                deadline,
                clock);
    }

    public Uni<Pooler> sample() {
        return connection.exchange(conn -> conn.query("SHOW POOLS").execute()).map(this::pooler);
    }

    private static PgConnectOptions connectOptions(DetectorConfig.PgBouncer pgbouncer, ResponseDeadline deadline) {
        PgConnectOptions options = new PgConnectOptions()
                .setHost(pgbouncer.host())
                .setPort(pgbouncer.port())
                .setDatabase(ADMIN_DATABASE)
                .setUser(pgbouncer.user())
                .setConnectTimeout((int) deadline.bound().toMillis())
                .setReconnectAttempts(0);
        Passwords.resolve(pgbouncer.passwordFile(), pgbouncer.password()).ifPresent(options::setPassword);
        return options;
    }

    /** Sums the pools of the configured database (or of all databases); the wait is that of the oldest client. */
    Pooler pooler(RowSet<Row> pools) {
        int clientsActive = 0;
        int clientsWaiting = 0;
        long maxWaitMicros = 0;
        int serverConnections = 0;
        for (Row pool : pools) {
            String db = pool.getValue("database").toString();
            if (ADMIN_DATABASE.equals(db)
                    || database.filter(wanted -> !wanted.equals(db)).isPresent()) {
                continue;
            }
            clientsActive += (int) number(pool, "cl_active");
            clientsWaiting += (int) number(pool, "cl_waiting");
            maxWaitMicros = Math.max(maxWaitMicros, number(pool, "maxwait") * 1_000_000 + number(pool, "maxwait_us"));
            serverConnections += (int) (number(pool, "sv_active")
                    + number(pool, "sv_idle")
                    + number(pool, "sv_used")
                    + number(pool, "sv_tested")
                    + number(pool, "sv_login"));
        }
        return new Pooler(
                clientsActive, clientsWaiting, clientsWaiting == 0 ? null : maxWaitMicros / 1000, serverConnections);
    }

    private static long number(Row row, String column) {
        Object value = row.getValue(column);
        return value instanceof Number n ? n.longValue() : Long.parseLong(value.toString());
    }

    @Override
    public void close() {
        connection.close();
    }
}
