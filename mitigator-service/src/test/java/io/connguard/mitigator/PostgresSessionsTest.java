package io.connguard.mitigator;

import static org.assertj.core.api.Assertions.assertThat;

import io.connguard.events.Mode;
import io.connguard.events.Outcome;
import io.connguard.mitigator.action.EffectResult;
import io.connguard.mitigator.action.postgres.PostgresSessions;
import io.connguard.mitigator.guard.KillSwitch;
import io.connguard.mitigator.policy.ActionSpec;
import io.connguard.mitigator.policy.Operation;
import io.connguard.mitigator.policy.PlannedAction;
import io.connguard.mitigator.policy.Policy;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The cancel step's terminate pass against real sessions: the kill switch stops it even mid-grace. */
@QuarkusTest
@WithTestResource(value = MitigatorTestInfra.class, scope = TestResourceScope.GLOBAL)
class PostgresSessionsTest {

    @Inject
    PostgresSessions sessions;

    @Inject
    KillSwitch killSwitch;

    @Test
    void aKillSwitchEngagedDuringTheGracePeriodStopsTheTerminate() throws Exception {
        try (Sessions db = new Sessions()) {
            // an application every scenario policy protects (pg_monitor*): only this test's own action, which has
            // no protections, may signal it, so a leftover scenario actor's cancel cannot abort the statement
            int stubborn = db.cancelResistantQuery("app_user", "pg_monitor-stubborn");
            Thread.sleep(1100); // older than the step's 1 s minimum
            var spec = new ActionSpec.CancelQueries(
                    Duration.ofSeconds(1),
                    null,
                    true,
                    Duration.ofSeconds(2),
                    null,
                    new ActionSpec.SessionFilter(List.of("app_user"), null, null));
            CompletableFuture<List<EffectResult>> running =
                    CompletableFuture.supplyAsync(() -> sessions.run(action(spec)));
            Thread.sleep(500); // cancelled by now, inside the 2 s grace period
            killSwitch.set(true, "alice", "stop everything", Instant.now());
            try {
                List<EffectResult> results = running.get(30, TimeUnit.SECONDS);
                assertThat(results)
                        .filteredOn(r -> r.subject().equals("pid-" + stubborn + "-pg_cancel_backend"))
                        .singleElement()
                        .satisfies(r -> assertThat(r.outcome()).isEqualTo(Outcome.SUCCEEDED));
                assertThat(results)
                        .filteredOn(r -> r.subject().equals("pid-" + stubborn + "-pg_terminate_backend"))
                        .singleElement()
                        .satisfies(r -> {
                            assertThat(r.outcome()).isEqualTo(Outcome.SKIPPED);
                            assertThat(r.reason()).startsWith("kill switch engaged");
                        });
                assertThat(db.state(stubborn)).isEqualTo("active");
            } finally {
                killSwitch.set(false, "alice", "done", Instant.now());
            }
        }
    }

    private static PlannedAction action(ActionSpec spec) {
        return new PlannedAction(
                "grace",
                "kill-db",
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
