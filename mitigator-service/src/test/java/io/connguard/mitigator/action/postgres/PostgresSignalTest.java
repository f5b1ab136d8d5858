package io.connguard.mitigator.action.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connguard.events.Mode;
import io.connguard.events.Outcome;
import io.connguard.mitigator.MitigatorTestInfra;
import io.connguard.mitigator.Sessions;
import io.connguard.mitigator.action.EffectResult;
import io.connguard.mitigator.policy.ActionSpec;
import io.connguard.mitigator.policy.Operation;
import io.connguard.mitigator.policy.PlannedAction;
import io.connguard.mitigator.policy.Policy;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * Each backend's signal on its own, over the target's held connection against real sessions: one refused signal
 * neither stops the others nor costs the connection, and a pid that now belongs to another backend is not signalled.
 */
@QuarkusTest
@WithTestResource(value = MitigatorTestInfra.class, scope = TestResourceScope.GLOBAL)
class PostgresSignalTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    PostgresSessions sessions;

    @Inject
    PostgresConnections connections;

    @Test
    void aSignalThePostgresRoleMayNotSendFailsAloneAndTheConnectionIsKept() throws Exception {
        try (Sessions db = new Sessions()) {
            int first = db.longQuery("app_user", "isolate-job");
            // the mitigator's role is not a superuser: PostgreSQL refuses it this cancel with 42501
            int superuser = db.longQuery(db.superuser(), "isolate-job");
            int second = db.longQuery("app_user", "isolate-job");
            for (int pid : List.of(first, superuser, second)) {
                await().atMost(WAIT).until(() -> db.state(pid).equals("active"));
            }
            int heldBefore = backendPid();

            List<EffectResult> results = sessions.run(cancel());

            assertThat(outcome(results, first)).isEqualTo(Outcome.SUCCEEDED);
            assertThat(outcome(results, second)).isEqualTo(Outcome.SUCCEEDED);
            assertThat(result(results, superuser)).satisfies(r -> {
                assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
                assertThat(r.error()).startsWith("PostgreSQL 42501: ");
                assertThat(r.evidence().get("pid").asInt()).isEqualTo(superuser);
            });
            await().atMost(WAIT)
                    .until(() ->
                            db.state(first).equals("idle") && db.state(second).equals("idle"));
            assertThat(db.state(superuser)).isEqualTo("active");
            assertThat(backendPid()).isEqualTo(heldBefore);

            // the next step runs over the very same connection
            List<EffectResult> next = sessions.run(cancel());
            assertThat(outcome(next, superuser)).isEqualTo(Outcome.FAILED);
            assertThat(backendPid()).isEqualTo(heldBefore);
        }
    }

    @Test
    void aPidNowHeldByAnotherBackendIsNotSignalled() throws Exception {
        try (Sessions db = new Sessions()) {
            int pid = db.longQuery("app_user", "replaced-job");
            await().atMost(WAIT).until(() -> db.state(pid).equals("active"));
            // as listed before the pid's backend ended and a new one got the same pid: another start time
            Backend listed = new Backend(
                    pid,
                    OffsetDateTime.now().minusHours(1),
                    "app_user",
                    "replaced-job",
                    "postgres",
                    "active",
                    "client backend",
                    false,
                    60_000,
                    60_000,
                    60_000,
                    "0123456789abcdef",
                    List.of());

            EffectResult result = PostgresSessions.signal(
                    connections.held(MitigatorTestInfra.SIGNAL), listed, "pg_cancel_backend", "cancel-query");

            assertThat(result.outcome()).isEqualTo(Outcome.SKIPPED);
            assertThat(result.reason()).isEqualTo("backend gone or replaced since it was listed: not signalled");
            assertThat(result.sessionsSignalled()).isZero();
            await().during(Duration.ofMillis(300))
                    .atMost(WAIT)
                    .until(() -> db.state(pid).equals("active"));
        }
    }

    private int backendPid() throws SQLException {
        Connection held = connections.held(MitigatorTestInfra.SIGNAL);
        return held.unwrap(PGConnection.class).getBackendPID();
    }

    private static EffectResult result(List<EffectResult> results, int pid) {
        return results.stream()
                .filter(r -> ("pid-" + pid + "-pg_cancel_backend").equals(r.subject()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no result for pid " + pid + " in " + results));
    }

    private static Outcome outcome(List<EffectResult> results, int pid) {
        return result(results, pid).outcome();
    }

    private static PlannedAction cancel() {
        var spec = new ActionSpec.CancelQueries(
                Duration.ZERO,
                null,
                false,
                null,
                true,
                new ActionSpec.SessionFilter(null, List.of("isolate-job"), null));
        return new PlannedAction(
                "isolate",
                MitigatorTestInfra.SIGNAL,
                "inc",
                null,
                "cancel-long-queries",
                spec,
                Operation.APPLY,
                Mode.ENFORCE,
                50,
                0.9,
                new Policy.Protection(null, null));
    }
}
