package io.connguard.detector.probe;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import java.time.Clock;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * One persistent connection, opened on first use and reopened after it broke, no sooner than the {@link Backoff}
 * allows: while backing off, {@link #get()} fails at once with the last connection failure, so a dead server costs
 * one connection attempt per backoff period, not one per sample. Callers serialise calls; not thread-safe.
 */
final class ReconnectingConnection implements AutoCloseable {

    private final Vertx vertx;
    private final Supplier<PgConnectOptions> options;
    private final Backoff backoff;
    private final Clock clock;
    private PgConnection connection;
    private int failures;
    private Instant retryAt = Instant.MIN;
    private Throwable lastFailure;

    ReconnectingConnection(Vertx vertx, Supplier<PgConnectOptions> options, Backoff backoff, Clock clock) {
        this.vertx = vertx;
        this.options = options;
        this.backoff = backoff;
        this.clock = clock;
    }

    Uni<PgConnection> get() {
        if (connection != null) {
            return Uni.createFrom().item(connection);
        }
        if (clock.instant().isBefore(retryAt)) {
            return Uni.createFrom().failure(lastFailure);
        }
        return Uni.createFrom()
                .deferred(() -> PgConnection.connect(vertx, options.get()))
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
    void failed(Throwable failure) {
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
