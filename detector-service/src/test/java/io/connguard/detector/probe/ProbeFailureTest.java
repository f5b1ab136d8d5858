package io.connguard.detector.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.pgclient.PgException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

/** Which failures mean "the server turned us away for lack of slots" (CRITICAL) and which mean "cannot see" (UNKNOWN). */
class ProbeFailureTest {

    @Test
    void tooManyConnectionsFromPostgresIsARefusal() {
        ProbeException failure = PgProbe.classify(new PgException(
                "remaining connection slots are reserved for non-replication superuser connections",
                "FATAL",
                "53300",
                null));
        assertThat(failure.refused()).isTrue();
        assertThat(failure.getMessage()).contains("remaining connection slots");
    }

    @Test
    void pgBouncersClientLimitIsARefusal() {
        // PgBouncer has no SQLSTATE of its own for it: it answers 08P01 with this text
        assertThat(PgProbe.classify(new PgException(
                                "no more connections allowed (max_client_conn)", "FATAL", "08P01", null))
                        .refused())
                .isTrue();
    }

    @Test
    void anyOtherFailureIsNotARefusal() {
        assertThat(PgProbe.classify(
                                new PgException("role \"probe\" is not permitted to log in", "FATAL", "28000", null))
                        .refused())
                .isFalse();
        ProbeException down = PgProbe.classify(new ConnectException("Connection refused"));
        assertThat(down.refused()).isFalse();
        assertThat(down.getMessage()).isEqualTo("Connection refused");
    }
}
