package io.connguard.detector.probe;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The probe's own bound on every wait for a server: the TCP connect, the login and each statement. Without it a silent
 * network partition (packets dropped, no RST) leaves the probe waiting on a healthy-looking socket until the kernel's
 * retransmission timeout gives up, about 15 minutes, and the target publishes nothing meanwhile. TCP keepalive would
 * not help: it probes only idle connections, never one with a request outstanding; and a middlebox that acknowledges
 * but forwards nothing defeats every TCP-level timeout.
 *
 * <p>The bound is {@value #FACTOR_PERCENT} % of the probe's {@code statement_timeout}: the server cancels the sample at
 * the statement timeout and answers with an error, so an answer that has not come half a statement timeout later is
 * not coming. A silent partition is therefore reported (UNKNOWN) at most one sample interval plus this bound after it
 * began: within twice the statement timeout while the sample interval is at most half of it (the defaults: 1 s, 2 s).
 */
final class ResponseDeadline {

    static final int FACTOR_PERCENT = 150;

    private final Vertx vertx;
    private final Duration bound;

    private ResponseDeadline(Vertx vertx, Duration bound) {
        this.vertx = vertx;
        this.bound = bound;
    }

    static ResponseDeadline forStatementTimeout(Vertx vertx, Duration statementTimeout) {
        return new ResponseDeadline(
                vertx, statementTimeout.multipliedBy(FACTOR_PERCENT).dividedBy(100));
    }

    Duration bound() {
        return bound;
    }

    /**
     * {@code work}, failed with a {@link ResponseTimeoutException} naming {@code what} when it has not finished within
     * the bound. An item that arrives after that goes to {@code late} (e.g. to close a connection that was no longer
     * awaited); a late failure is dropped. The timer runs on the caller's Vert.x context, so the outcome is delivered
     * where the caller's state lives.
     */
    <T> Uni<T> bound(Uni<T> work, String what, Consumer<? super T> late) {
        return Uni.createFrom().emitter(emitter -> {
            AtomicBoolean settled = new AtomicBoolean();
            long timer = vertx.setTimer(Math.max(1, bound.toMillis()), id -> {
                if (settled.compareAndSet(false, true)) {
                    emitter.fail(new ResponseTimeoutException(what, bound));
                }
            });
            emitter.onTermination(() -> vertx.cancelTimer(timer));
            work.subscribe()
                    .with(
                            item -> {
                                if (settled.compareAndSet(false, true)) {
                                    emitter.complete(item);
                                } else {
                                    late.accept(item);
                                }
                            },
                            failure -> {
                                if (settled.compareAndSet(false, true)) {
                                    emitter.fail(failure);
                                }
                            });
        });
    }

    /** No answer in time: the connection cannot be trusted any more (the protocol may be mid-message) and is closed. */
    static final class ResponseTimeoutException extends RuntimeException {
        ResponseTimeoutException(String what, Duration bound) {
            super("no " + what + " within " + bound.toMillis() + " ms (" + FACTOR_PERCENT
                    + " % of probe.statement-timeout): silent network or server");
        }
    }
}
