package io.connguard.mitigator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.connguard.events.ActionEvent;
import io.connguard.events.Level;
import io.connguard.events.Outcome;
import io.connguard.infra.kubernetes.ApiFaults;
import io.connguard.mitigator.action.kubernetes.KubernetesStateStore;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Fault scenario 5 (issue 12): the Kubernetes API answers 500, 429 and 409 during a mitigation. The mitigator retries a
 * bounded number of times ({@code quarkus.kubernetes-client.request-retry-backoff-*} in application.properties), never
 * scales twice, and records the failure: the step's {@code FAILED} event with the API's answer, and the target held
 * fail-closed (DESIGN.md, invariant 6) until an operator resumes it, even when the API that failed the step also
 * refuses to store the state.
 */
@QuarkusTest
@WithTestResource(value = MitigatorTestInfra.class, scope = TestResourceScope.GLOBAL)
class KubernetesApiFaultTest {

    private static final Logger LOG = Logger.getLogger(KubernetesApiFaultTest.class);

    /** {@code quarkus.kubernetes-client.request-retry-backoff-limit}: retries after the first attempt. */
    private static final int RETRIES = 3;

    private static final Duration OUTAGE = Duration.ofSeconds(20);

    private final ApiFaults faults = MitigatorTestInfra.kubernetes().faults();

    @Test
    void aScaleAnsweredWith500IsRetriedABoundedNumberOfTimesThenFailsTheTargetClosed() {
        try (Scenario s = new Scenario("apiretry-db").withWorkloads()) {
            Predicate<ApiFaults.Request> scaleWrite = scaleWrite(s.namespace);
            ApiFaults.Window outage = faults.outage(OUTAGE, scaleWrite, scaleWrite, 500);
            try {
                s.send(Level.ELEVATED, 90);
                s.await("pause-ingestion", Outcome.SUCCEEDED);
                s.awaitWhileSampling(
                        "the scale step",
                        a -> a.action().equals("scale-workload") && a.outcome() == Outcome.PLANNED,
                        Level.ELEVATED,
                        90,
                        0);
                ActionEvent failed = s.await("scale-workload", Outcome.FAILED);

                int attempts = faults.answers(a -> scaleWrite.test(a.request())).size();
                LOG.infof(
                        "scenario 5, 500 on the scale write: %d attempts, FAILED after %d ms: %s",
                        attempts, failed.durationMs(), failed.error());
                // the first attempt and the configured retries, then the step fails: the target's thread is not held
                // for fabric8's default 10 retries (about 19 s of backoff per call)
                assertThat(attempts).isEqualTo(1 + RETRIES);
                assertThat(failed.durationMs()).isLessThan(5_000L);
                assertThat(failed.error()).contains("500");

                // fail-closed: the next step is refused with the reason, nothing was scaled
                ActionEvent held = s.awaitWhileSampling(
                        "shrink-pool refused",
                        a -> a.action().equals("shrink-pool") && a.outcome() == Outcome.SKIPPED,
                        Level.ELEVATED,
                        90,
                        0);
                assertThat(held.reason()).startsWith("fail closed: step scale-etl-worker-down failed: Kubernetes: ");
                assertThat(s.replicas("etl-worker")).isEqualTo(4);
                assertThat(s.poolSize("api")).isEqualTo("20");
            } finally {
                faults.disarm(outage);
            }
            assertThat(successfulWrites(scaleWrite)).isZero();
        }
    }

    @Test
    void theWholeApiFailingFor20sFromTheScaleWriteHoldsTheTargetClosedAndScalesNothingTwice() {
        try (Scenario s = new Scenario("apioutage-db").withWorkloads()) {
            Predicate<ApiFaults.Request> scaleWrite = scaleWrite(s.namespace);
            // from the scale write on, every request of every client: the API server overloaded or restarting
            ApiFaults.Window outage = faults.outage(OUTAGE, scaleWrite, r -> true, 500, 429, 409);
            try {
                s.send(Level.ELEVATED, 90);
                s.await("pause-ingestion", Outcome.SUCCEEDED);
                s.awaitWhileSampling(
                        "the scale step",
                        a -> a.action().equals("scale-workload") && a.outcome() == Outcome.PLANNED,
                        Level.ELEVATED,
                        90,
                        0);
                ActionEvent failed = s.await("scale-workload", Outcome.FAILED);
                assertThat(failed.error()).startsWith("Kubernetes: ");
                assertThat(outage.opened()).isTrue();

                // the detector goes on publishing every 500 ms through the outage: every input is answered with an
                // event saying why nothing runs, none acts
                List<ActionEvent> during = new ArrayList<>();
                long end = outage.closesAtNanos().orElseThrow();
                while (System.nanoTime() < end) {
                    s.send(Level.ELEVATED, 90);
                    during.addAll(s.drain(Duration.ofMillis(500)));
                }
                LOG.infof(
                        "scenario 5, whole API %s for %d s: %d requests answered with a fault, %d events during it: %s",
                        "500/429/409",
                        OUTAGE.toSeconds(),
                        outage.answered(),
                        during.size(),
                        during.stream().map(Scenario::brief).distinct().toList());
                assertThat(during).isNotEmpty().allSatisfy(a -> {
                    assertThat(a.outcome()).isIn(Outcome.SKIPPED, Outcome.NOOP);
                    assertThat(a.reason()).isNotBlank();
                });

                // healed: the first fresh claim finds the target still failed closed, although the failure could
                // not be stored while the API was failing
                long healed = System.nanoTime();
                ActionEvent held = s.awaitWhileSampling(
                        "shrink-pool refused after the outage",
                        a -> a.action().equals("shrink-pool") && a.outcome() == Outcome.SKIPPED,
                        Level.ELEVATED,
                        90,
                        0);
                long answeredAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - healed);
                assertThat(held.reason()).startsWith("fail closed: step scale-etl-worker-down failed: Kubernetes: ");
                assertThat(storedState(s.target)).contains("\"failedClosed\":\"step scale-etl-worker-down failed");
                assertThat(s.replicas("etl-worker")).isEqualTo(4);
                assertThat(s.poolSize("api")).isEqualTo("20");
                assertThat(successfulWrites(scaleWrite)).isZero();

                // an operator resumes it: the policy goes on, the scale step is not run a second time
                long resumed = System.nanoTime();
                given().auth()
                        .oauth2(MitigatorTestInfra.OPERATOR_TOKEN)
                        .contentType("application/json")
                        .body("{\"reason\":\"API server back\"}")
                        .post("/api/targets/" + s.target + "/resume")
                        .then()
                        .statusCode(200);
                s.awaitWhileSampling(
                        "shrink-pool after the resume",
                        a -> a.action().equals("shrink-pool") && a.outcome() == Outcome.SUCCEEDED,
                        Level.ELEVATED,
                        90,
                        0);
                LOG.infof(
                        "scenario 5: first decision %d ms after the heal (still fail-closed); next step %d ms after"
                                + " the operator's resume",
                        answeredAfter, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - resumed));
                assertThat(s.poolSize("api")).isEqualTo("5");
                assertThat(successfulWrites(scaleWrite)).isZero();
                assertThat(s.replicas("etl-worker")).isEqualTo(4);
            } finally {
                faults.disarm(outage);
            }
        }
    }

    /** A write of the workload's scale subresource (fabric8 reads the Scale, then writes it). */
    private static Predicate<ApiFaults.Request> scaleWrite(String namespace) {
        String path = "/apis/apps/v1/namespaces/" + namespace + "/deployments/etl-worker/scale";
        return r -> r.under(path) && !r.method().equals("GET");
    }

    private long successfulWrites(Predicate<ApiFaults.Request> write) {
        return faults.answers(a -> write.test(a.request()) && !a.injected() && a.status() < 300)
                .size();
    }

    private static String storedState(String target) {
        return MitigatorTestInfra.kubernetes()
                .client()
                .configMaps()
                .inNamespace("connguard")
                .withName(KubernetesStateStore.PREFIX + target)
                .get()
                .getData()
                .get("state.json");
    }
}
