package io.connguard.detector.probe;

import io.connguard.detector.config.DetectorConfig;
import io.connguard.events.Capacity;
import io.connguard.events.Connections;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Samples one target over ONE persistent connection, opened lazily and reopened after a failure, so the detector
 * holds its slot while every other client is refused. Callers serialise calls to {@link #sample()}.
 */
public final class PgProbe implements AutoCloseable {

    static final String APPLICATION_NAME = "connguard-detector";

    /** One pass over pg_stat_activity; settings through current_setting(), which is cheaper than pg_settings. */
    static final String SAMPLE_SQL = """
            SELECT current_setting('max_connections')::int AS max_connections,
                   current_setting('superuser_reserved_connections')::int AS superuser_reserved,
                   coalesce(current_setting('reserved_connections', true), '0')::int AS reserved,
                   count(*) FILTER (WHERE backend_type = 'client backend') AS total,
                   count(*) FILTER (WHERE backend_type = 'client backend' AND state = 'active') AS active,
                   count(*) FILTER (WHERE backend_type = 'client backend' AND state = 'idle') AS idle,
                   count(*) FILTER (WHERE backend_type = 'client backend' AND state = 'idle in transaction') AS idle_in_tx,
                   count(*) FILTER (WHERE backend_type = 'client backend'
                                    AND state = 'idle in transaction (aborted)') AS idle_in_tx_aborted,
                   count(*) FILTER (WHERE backend_type = 'client backend' AND wait_event_type = 'Lock') AS lock_waiters,
                   count(*) FILTER (WHERE backend_type = 'walsender') AS replication_senders,
                   count(*) FILTER (WHERE backend_type NOT IN ('client backend', 'walsender')) AS background
            FROM pg_stat_activity
            """;

    /** SQLSTATE too_many_connections. */
    private static final String TOO_MANY_CONNECTIONS = "53300";

    private final Vertx vertx;
    private final DetectorConfig.Target target;
    private final Clock clock;
    private PgConnection connection;

    public PgProbe(Vertx vertx, DetectorConfig.Target target, Clock clock) {
        this.vertx = vertx;
        this.target = target;
        this.clock = clock;
    }

    public Uni<ProbeSample> sample() {
        long started = System.nanoTime();
        Instant sampledAt = clock.instant();
        return connection()
                .flatMap(conn -> conn.query(SAMPLE_SQL).execute())
                .map(rows -> toSample(rows.iterator().next(), sampledAt, (System.nanoTime() - started) / 1e6))
                .onFailure()
                .invoke(this::dropConnection)
                .onFailure()
                .transform(PgProbe::classify);
    }

    private Uni<PgConnection> connection() {
        if (connection != null) {
            return Uni.createFrom().item(connection);
        }
        return PgConnection.connect(vertx, connectOptions()).invoke(conn -> {
            connection = conn;
            conn.closeHandler(() -> connection = null);
        });
    }

    private PgConnectOptions connectOptions() {
        PgConnectOptions options = new PgConnectOptions()
                .setHost(target.host())
                .setPort(target.port())
                .setDatabase(target.database())
                .setUser(target.user())
                .setConnectTimeout(2_000)
                .setReconnectAttempts(0)
                // keep the probe's own session harmless: it can never hold a lock or run long
                .setProperties(Map.of(
                        "application_name", APPLICATION_NAME,
                        "statement_timeout", "2000",
                        "lock_timeout", "500",
                        "idle_in_transaction_session_timeout", "5000"));
        password().ifPresent(options::setPassword);
        return options;
    }

    private Optional<String> password() {
        if (target.passwordFile().isPresent()) {
            try {
                return Optional.of(Files.readString(target.passwordFile().get()).strip());
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "cannot read password file " + target.passwordFile().get(), e);
            }
        }
        return target.password();
    }

    private ProbeSample toSample(Row row, Instant sampledAt, double durationMs) {
        int max = row.getInteger("max_connections");
        int superuserReserved = row.getInteger("superuser_reserved");
        int reserved = row.getInteger("reserved");
        int usable = target.capacityOverride().orElse(max - superuserReserved - reserved);
        Capacity capacity = new Capacity(max, superuserReserved, reserved, usable, null, null);
        int total = row.getLong("total").intValue();
        int active = row.getLong("active").intValue();
        int idle = row.getLong("idle").intValue();
        int idleInTx = row.getLong("idle_in_tx").intValue();
        int idleInTxAborted = row.getLong("idle_in_tx_aborted").intValue();
        Connections connections = new Connections(
                total,
                active,
                idle,
                idleInTx,
                idleInTxAborted,
                total - active - idle - idleInTx - idleInTxAborted,
                row.getLong("lock_waiters").intValue(),
                row.getLong("background").intValue(),
                row.getLong("replication_senders").intValue());
        return new ProbeSample(sampledAt, durationMs, capacity, connections);
    }

    private void dropConnection(Throwable failure) {
        PgConnection broken = connection;
        connection = null;
        if (broken != null) {
            broken.closeAndForget();
        }
    }

    private static Throwable classify(Throwable failure) {
        boolean refused = failure instanceof PgException pg && TOO_MANY_CONNECTIONS.equals(pg.getSqlState());
        String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        return new ProbeException(message, refused, failure);
    }

    @Override
    public void close() {
        dropConnection(null);
    }
}
