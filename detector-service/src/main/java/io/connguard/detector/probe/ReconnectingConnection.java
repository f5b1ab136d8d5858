package io.connguard.detector.probe;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import java.time.Clock;
import java.time.Instant;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One persistent connection, opened on first use and reopened after it broke, no sooner than the {@link Backoff}
 * allows: while backing off, {@link #exchange} fails at once with the last connection failure, so a dead server costs
 * one connection attempt per backoff period, not one per sample. Opening (TCP connect and login) and every exchange are
 * each bounded by the {@link ResponseDeadline}: a server that stops answering fails the sample instead of holding it.
 * Callers serialise calls; not thread-safe.
 */
final class ReconnectingConnection implements AutoCloseable {

    private final Vertx vertx;
    private final Supplier<PgConnectOptions> options;
    private final Backoff backoff;
    private final ResponseDeadline deadline;
    private final Clock clock;
    private PgConnection connection;
    private int failures;
    private Instant retryAt = Instant.MIN;
    private Throwable lastFailure;

    ReconnectingConnection(
            Vertx vertx, Supplier<PgConnectOptions> options, Backoff backoff, ResponseDeadline deadline, Clock clock) {
        this.vertx = vertx;
        this.options = options;
        this.backoff = backoff;
        this.deadline = deadline;
        this.clock = clock;
    }

    /**
     * Runs one request-response {@code exchange} on the connection (opened first if needed), bounded by the deadline.
     * A failure other than an error answer from the server (a timeout, a broken socket) closes the connection.
     */
    <T> Uni<T> exchange(Function<PgConnection, Uni<T>> exchange) {
        return get().flatMap(conn -> deadline.bound(exchange.apply(conn), "answer", late -> {}))
                .onFailure()
                .invoke(this::failed);
    }

    private Uni<PgConnection> get() {
        if (connection != null) {
            return Uni.createFrom().item(connection);
        }
        if (clock.instant().isBefore(retryAt)) {
            return Uni.createFrom().failure(lastFailure);
        }
        Uni<PgConnection> connect = Uni.createFrom().deferred(() -> PgConnection.connect(vertx, options.get()));
        // a login that completes after the deadline was given up on: nobody would ever close that connection
        return deadline.bound(connect, "login", PgConnection::closeAndForget)
                .invoke(conn -> {
                    connection = conn;
                    failures = 0;
                    conn.closeHandler(() -> {
                        if (connection == conn) {
                            connection = null;
                        }
                    });
                })
                .onFailure()
                .invoke(this::connectFailed);
    }

    private void connectFailed(Throwable failure) {
        failures++;
        lastFailure = failure;
        retryAt = clock.instant().plus(backoff.after(failures));
    }

    /**
     * Forgets the connection after a failed statement unless the server answered with an error: a statement timeout
     * leaves the session usable, and giving up the slot during an exhaustion might mean not getting it back.
     */
    private void failed(Throwable failure) {
        if (!(failure instanceof PgException)) {
            close();
        }
    }

    @Override
    public void close() {
        PgConnection broken = connection;
        connection = null;
        if (broken != null) {
            broken.closeAndForget();
        }
    }
}
