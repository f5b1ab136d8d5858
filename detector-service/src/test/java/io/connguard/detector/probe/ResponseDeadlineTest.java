package io.connguard.detector.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The probe's client-side bound, on a real Vert.x instance (its timers are what the probe uses). */
class ResponseDeadlineTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.closeAndAwait();
    }

    @Test
    void theBoundIsOneAndAHalfStatementTimeouts() {
        assertThat(ResponseDeadline.forStatementTimeout(vertx, Duration.ofSeconds(2))
                        .bound())
                .isEqualTo(Duration.ofSeconds(3));
        assertThat(ResponseDeadline.forStatementTimeout(vertx, Duration.ofMillis(500))
                        .bound())
                .isEqualTo(Duration.ofMillis(750));
    }

    @Test
    void anAnswerThatNeverComesFailsAfterTheBound() {
        ResponseDeadline deadline = ResponseDeadline.forStatementTimeout(vertx, Duration.ofMillis(200));
        long started = System.nanoTime();
        assertThatThrownBy(() -> deadline.bound(Uni.createFrom().nothing(), "answer", late -> {})
                        .await()
                        .atMost(Duration.ofSeconds(5)))
                .isInstanceOf(ResponseDeadline.ResponseTimeoutException.class)
                .hasMessageStartingWith("no answer within 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .isBetween(Duration.ofMillis(300), Duration.ofSeconds(3));
    }

    @Test
    void anAnswerInTimePassesAndALateOneIsHandedOver() {
        ResponseDeadline deadline = ResponseDeadline.forStatementTimeout(vertx, Duration.ofMillis(200));
        assertThat(deadline.bound(Uni.createFrom().item("sample"), "answer", late -> {})
                        .await()
                        .atMost(Duration.ofSeconds(5)))
                .isEqualTo("sample");

        AtomicReference<String> late = new AtomicReference<>();
        Uni<String> slowLogin = Uni.createFrom().emitter(e -> vertx.setTimer(600, id -> e.complete("connection")));
        assertThatThrownBy(() ->
                        deadline.bound(slowLogin, "login", late::set).await().atMost(Duration.ofSeconds(5)))
                .isInstanceOf(ResponseDeadline.ResponseTimeoutException.class);
        await("the late connection handed over to be closed")
                .atMost(Duration.ofSeconds(5))
                .until(() -> "connection".equals(late.get()));
    }
}
