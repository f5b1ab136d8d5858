package io.connguard.mitigator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connguard.events.ActionEvent;
import io.connguard.events.CloudEvent;
import io.connguard.events.Level;
import io.connguard.events.Mode;
import io.connguard.events.Outcome;
import io.connguard.events.PressureChanged;
import io.connguard.mitigator.action.kubernetes.KubernetesPoolSize;
import io.connguard.mitigator.action.kubernetes.KubernetesScale;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Whole incidents against the real broker, a real PostgreSQL cluster and the Kubernetes CRUD server. */
@QuarkusTest
@WithTestResource(value = MitigatorTestInfra.class, scope = TestResourceScope.GLOBAL)
class MitigationScenarioTest {

    private static final Duration WINDOW = Duration.ofMillis(1100);

    @Test
    void theLadderRunsInOrderEscalatesWhenAStepDoesNotHelpAndRecoveryRestoresEverythingInStages() throws Exception {
        try (Scenario s = new Scenario("ladder-db").withWorkloads();
                Sessions sessions = new Sessions()) {
            int appQuery = sessions.longQuery("app_user", "etl-worker");
            int superQuery = sessions.longQuery(sessions.superuser(), "psql");
            int monitorQuery = sessions.longQuery("app_user", "pg_monitor-exporter");
            int walsender = sessions.replication();
            int idleTx = sessions.idleInTransaction("app_user", "api");
            Thread.sleep(1100); // every session is now older than the policy's 1 s bounds

            CloudEvent<PressureChanged> first = s.send(Level.ELEVATED, 80);
            ActionEvent pause = s.await("pause-ingestion", Outcome.SUCCEEDED);
            assertThat(pause.causationId()).isEqualTo(first.id());
            assertThat(pause.command().text()).contains("merge {\"data\":{\"ingestion-enabled\":\"false\"}}");
            assertThat(s.flag()).isEqualTo("false");
            assertThat(s.k8s.configMaps()
                            .inNamespace(s.namespace)
                            .withName("flags")
                            .get()
                            .getData())
                    .containsEntry("other", "kept");

            // the detector's next sample is no better: a step is judged only on a sample taken after it ran, and
            // once the window passed the scheduler tick escalates on it (same connections: the learned connections
            // per replica stay those of the first event)
            CloudEvent<PressureChanged> afterPause = s.send(Level.ELEVATED, 80);
            ActionEvent scale = s.await("scale-workload", Outcome.SUCCEEDED);
            assertThat(scale.causationId()).isEqualTo(afterPause.id());
            assertThat(scale.stateBefore().get("replicas").asInt()).isEqualTo(4);
            assertThat(scale.command().text())
                    .isEqualTo("PUT apps/v1 deployments/etl-worker/scale {\"spec\":{\"replicas\":1}}");
            assertThat(s.replicas("etl-worker")).isEqualTo(1);
            assertThat(s.annotation("etl-worker", KubernetesScale.ORIGINAL_REPLICAS))
                    .isEqualTo("4");

            Thread.sleep(WINDOW.toMillis());
            // the idle transaction is in the sample from now on: once the cancel step's window ends, the scheduler
            // tick escalates to the terminate step on this event without waiting for the next one
            s.send(Level.CRITICAL, 90, 1, "periodic");
            ActionEvent cancel = s.await(
                    "cancel of the app's query",
                    a -> a.action().equals("cancel-query") && a.outcome() == Outcome.SUCCEEDED);
            assertThat(cancel.command().text())
                    .startsWith("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE pid = " + appQuery
                            + " AND backend_start = ");
            assertThat(cancel.evidence().get("user").asText()).isEqualTo("app_user");
            assertThat(cancel.evidence().get("queryDurationMs").asLong()).isGreaterThanOrEqualTo(1000);
            List<ActionEvent> cancelStep = s.drain(Duration.ofMillis(300));
            assertThat(cancelStep)
                    .filteredOn(a -> a.outcome() == Outcome.SUCCEEDED)
                    .isEmpty(); // nothing else was signalled
            assertThat(sessions.state(superQuery)).isEqualTo("active");
            assertThat(sessions.state(monitorQuery)).isEqualTo("active");
            assertThat(sessions.state(walsender)).isNotEqualTo("gone");
            List<String> skipped = s.seen.stream()
                    .filter(a -> a.outcome() == Outcome.SKIPPED)
                    .map(ActionEvent::reason)
                    .toList();
            assertThat(skipped).contains("protected: superuser " + sessions.superuser());
            assertThat(skipped).contains("protected: application pg_monitor-exporter");
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(sessions.state(appQuery)).isEqualTo("idle"));

            Thread.sleep(WINDOW.toMillis());
            s.send(Level.CRITICAL, 90, 1, "periodic");
            ActionEvent terminate = s.await("terminate-idle-in-transaction", Outcome.SUCCEEDED);
            assertThat(terminate.command().text())
                    .startsWith(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = " + idleTx + " AND");
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(sessions.state(idleTx)).isEqualTo("gone"));

            Thread.sleep(WINDOW.toMillis());
            s.send(Level.CRITICAL, 90);
            s.await("shrink-pool", Outcome.SUCCEEDED);
            assertThat(s.poolSize("api")).isEqualTo("5");
            assertThat(s.annotation("api", KubernetesPoolSize.ORIGINAL_POOL_SIZE))
                    .isEqualTo("20");

            s.resolved(); // 40 connections: the scale-down from 4 to 1 replicas took them from 80, 13.3 per replica
            ActionEvent workers = s.await(
                    "workers restored", a -> a.action().equals("restore-workload") && a.outcome() == Outcome.REVERTED);
            // all 4 back would be (40 + 3 * 13.3) / 100 = 0.80: restoring stops at 3 and says why
            assertThat(workers.stateAfter().get("replicas").asInt()).isEqualTo(3);
            assertThat(workers.reason())
                    .isEqualTo("restored etl-worker to 3 of 4: 4 would reach ratio 0.80 (ceiling 0.70, 13.3"
                            + " connections per replica)");
            s.await("restore-pool", Outcome.REVERTED);
            s.await("resume-ingestion", Outcome.REVERTED);
            ActionEvent complete = s.await(
                    "recovery complete", a -> a.reason() != null && a.reason().startsWith("recovery complete"));
            assertThat(complete.reason()).contains("Deployment " + s.namespace + "/etl-worker left below its original");
            assertThat(s.replicas("etl-worker")).isEqualTo(3);
            // the original count stays on the workload, so a human can finish the restore
            assertThat(s.annotation("etl-worker", KubernetesScale.ORIGINAL_REPLICAS))
                    .isEqualTo("4");
            assertThat(s.poolSize("api")).isEqualTo("20");
            assertThat(s.flag()).isEqualTo("true");
        }
    }

    @Test
    void aTransactionTooYoungForTheTerminateStepIsTerminatedByASweepWithoutWaitingForTheCooldown() throws Exception {
        try (Scenario s = new Scenario("sweep-db");
                Sessions sessions = new Sessions()) {
            int leaked = sessions.idleInTransaction("app_user", "sweep-job");
            s.send(Level.ELEVATED, 90, 1, "periodic"); // the transaction is younger than the step's 2 s

            ActionEvent tooYoung = s.await("terminate-idle-in-transaction", Outcome.NOOP);
            assertThat(tooYoung.reason()).isEqualTo("no session matched the step's filter");
            // pressure holds: the ladder has run out, and the step repeats once the transaction is old enough, long
            // before its one-hour cooldown, because the step that found nothing started none
            ActionEvent terminated = s.awaitWhileSampling(
                    "terminate of the leaked transaction",
                    a -> a.action().equals("terminate-idle-in-transaction") && a.outcome() == Outcome.SUCCEEDED,
                    Level.ELEVATED,
                    90,
                    1);
            assertThat(terminated.command().text())
                    .startsWith(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = " + leaked + " AND");
            assertThat(terminated.evidence().get("stateDurationMs").asLong()).isGreaterThanOrEqualTo(2000);
            assertThat(s.seen)
                    .filteredOn(a -> a.outcome() == Outcome.PLANNED)
                    .extracting(ActionEvent::actionId)
                    .doesNotHaveDuplicates()
                    .hasSizeGreaterThanOrEqualTo(2);
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(sessions.state(leaked)).isEqualTo("gone"));
        }
    }

    @Test
    void theConnectionHeldSinceStartUpStillSignalsWhenTheServerRefusesNewOnes() throws Exception {
        try (Scenario s = new Scenario(MitigatorTestInfra.EXHAUSTED);
                Sessions sessions = new Sessions()) {
            // opened at start-up, before any incident: the mitigator's role is no superuser, so it gets no reserved
            // slot
            await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> assertThat(sessions.sessions("exhausted", "connguard-mitigator"))
                            .isEqualTo(1));
            int runaway = sessions.longQuery("app_user", "exhaust-job");
            assertThat(sessions.fillOrdinarySlots("app_user")).isPositive();
            Thread.sleep(1100); // older than the step's 1 s minimum

            s.send(Level.CRITICAL, 100);
            ActionEvent cancel = s.await(
                    "cancel of the runaway query",
                    a -> a.action().equals("cancel-query") && a.outcome() == Outcome.SUCCEEDED);
            assertThat(cancel.command().text())
                    .startsWith("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE pid = " + runaway + " AND");
        }
    }

    @Test
    void eachEpisodesRecoveryCompleteIsItsOwnEventDownstream() {
        List<ActionEvent> completes = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<String> incidents = new ArrayList<>();
        for (int episode = 1; episode <= 2; episode++) {
            try (Scenario s = new Scenario("episodes-db").withWorkloads()) {
                s.send(Level.ELEVATED, 80);
                s.await("pause-ingestion", Outcome.SUCCEEDED);
                s.resolved();
                s.await("resume-ingestion", Outcome.REVERTED);
                ActionEvent complete = s.await(
                        "recovery complete",
                        a -> a.reason() != null && a.reason().startsWith("recovery complete"));
                completes.add(complete);
                ids.add(s.cloudEventId(complete));
                incidents.add(s.incident);
            }
        }
        // the audit service keeps one event per CloudEvent id: a shared id would keep only the first episode's
        assertThat(ids).doesNotContainNull().doesNotHaveDuplicates();
        assertThat(completes).extracting(ActionEvent::incidentId).containsExactlyElementsOf(incidents);
    }

    @Test
    void dryRunPublishesWhatItWouldDoAndChangesNothing() {
        try (Scenario s = new Scenario("dryrun-db").withWorkloads()) {
            s.send(Level.ELEVATED, 80);
            ActionEvent pause = s.await("pause-ingestion", Outcome.DRY_RUN);
            assertThat(pause.mode()).isEqualTo(Mode.DRY_RUN);
            assertThat(pause.command().text()).contains("\"ingestion-enabled\":\"false\"");
            assertThat(s.flag()).isEqualTo("true");
        }
    }

    @Test
    void aBudgetHitIsAnEventNotASilence() {
        try (Scenario s = new Scenario("guard-db").withWorkloads()) {
            s.send(Level.ELEVATED, 80);
            s.await("pause-ingestion", Outcome.SUCCEEDED);
            sleep(WINDOW);
            s.send(Level.ELEVATED, 80);
            ActionEvent skipped = s.await("scale-workload", Outcome.SKIPPED);
            assertThat(skipped.reason()).isEqualTo("budget: max-actions-per-incident 1 reached");
            assertThat(s.replicas("etl-worker")).isEqualTo(4);
            String metrics =
                    given().get("/q/metrics").then().statusCode(200).extract().asString();
            assertThat(metrics)
                    .contains("connguard_budget_exhausted_total{action=\"scale-workload\",target=\"guard-db\"}");
            assertThat(metrics)
                    .contains(
                            "connguard_actions_total{action=\"pause-ingestion\",outcome=\"SUCCEEDED\",target=\"guard-db\"}");
        }
    }

    @Test
    void aDuplicatedPressureEventNeverRepeatsAnAction() {
        try (Scenario s = new Scenario("dup-db").withWorkloads()) {
            CloudEvent<PressureChanged> event = s.send(Level.ELEVATED, 80);
            s.send(event);
            s.send(event);
            s.await("pause-ingestion", Outcome.SUCCEEDED);
            List<ActionEvent> later = s.drain(Duration.ofSeconds(1));
            assertThat(later).noneMatch(a -> a.action().equals("pause-ingestion"));
            // (the scale step may follow on the tick once the pause's window ends: that is escalation, not a repeat)
            assertThat(s.seen)
                    .filteredOn(
                            a -> a.outcome() == Outcome.SUCCEEDED && a.action().equals("pause-ingestion"))
                    .hasSize(1);
        }
    }

    @Test
    void theKillSwitchStopsEveryNewActionAndIsItselfAudited() {
        try (Scenario s = new Scenario("kill-db").withWorkloads();
                Scenario audit = new Scenario("all-targets")) {
            given().auth()
                    .oauth2(MitigatorTestInfra.OPERATOR_TOKEN)
                    .contentType("application/json")
                    .body("{}")
                    .post("/api/automation/kill-switch")
                    .then()
                    .statusCode(400)
                    .contentType("application/problem+json")
                    .body("detail", org.hamcrest.Matchers.containsString("reason"));
            given().auth()
                    .oauth2(MitigatorTestInfra.OPERATOR_TOKEN)
                    .contentType("application/json")
                    .body("{\"reason\":\"migration window\"}")
                    .post("/api/automation/kill-switch")
                    .then()
                    .statusCode(200)
                    .body("engaged", org.hamcrest.Matchers.is(true));
            try {
                ActionEvent engaged = audit.await("kill-switch-engaged", Outcome.SUCCEEDED);
                assertThat(engaged.reason()).isEqualTo("migration window");
                assertThat(engaged.evidence().get("by").asText()).isEqualTo("alice");
                given().get("/q/metrics")
                        .then()
                        .body(org.hamcrest.Matchers.containsString("connguard_automation_enabled 0.0"));

                s.send(Level.CRITICAL, 95);
                ActionEvent skipped = s.await("pause-ingestion", Outcome.SKIPPED);
                assertThat(skipped.reason()).isEqualTo("kill switch engaged: automation is off");
                assertThat(s.flag()).isEqualTo("true");
            } finally {
                given().auth()
                        .oauth2(MitigatorTestInfra.OPERATOR_TOKEN)
                        .contentType("application/json")
                        .body("{\"reason\":\"done\"}")
                        .delete("/api/automation/kill-switch")
                        .then()
                        .statusCode(200)
                        .body("engaged", org.hamcrest.Matchers.is(false));
            }
            audit.await("kill-switch-released", Outcome.SUCCEEDED);
            s.send(Level.CRITICAL, 95);
            s.await("pause-ingestion", Outcome.SUCCEEDED);
            assertThat(s.flag()).isEqualTo("false");
        }
    }

    @Test
    void aWorkloadAnHpaManagesIsRefusedWithAReason() {
        try (Scenario s = new Scenario("hpa-db").withWorkloads()) {
            s.k8s.autoscaling()
                    .v2()
                    .horizontalPodAutoscalers()
                    .inNamespace(s.namespace)
                    .resource(new io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder()
                            .withNewMetadata()
                            .withName("etl-hpa")
                            .withNamespace(s.namespace)
                            .endMetadata()
                            .withNewSpec()
                            .withNewScaleTargetRef()
                            .withApiVersion("apps/v1")
                            .withKind("Deployment")
                            .withName("etl-worker")
                            .endScaleTargetRef()
                            .withMinReplicas(2)
                            .withMaxReplicas(8)
                            .endSpec()
                            .build())
                    .create();
            try {
                s.send(Level.ELEVATED, 80);
                s.await("pause-ingestion", Outcome.SUCCEEDED);
                sleep(WINDOW);
                s.send(Level.ELEVATED, 80);
                ActionEvent refused = s.await("scale-workload", Outcome.SKIPPED);
                assertThat(refused.reason()).startsWith("hpa etl-hpa manages Deployment hpa/etl-worker");
                assertThat(s.replicas("etl-worker")).isEqualTo(4);
            } finally {
                s.k8s.autoscaling()
                        .v2()
                        .horizontalPodAutoscalers()
                        .inNamespace(s.namespace)
                        .withName("etl-hpa")
                        .delete();
            }
        }
    }

    @Test
    void aFlagServiceWebhookPausesAndResumesIngestionAndEveryActionIsPostedToTheNotifyWebhook() {
        WebhookRecorder hooks = MitigatorTestInfra.webhooks();
        try (Scenario s = new Scenario("hook-db")) {
            s.send(Level.ELEVATED, 80);
            ActionEvent pause = s.await("pause-ingestion", Outcome.SUCCEEDED);
            assertThat(pause.command().system()).isEqualTo("http");
            assertThat(hooks.requests("/flags/ingestion")).singleElement().satisfies(r -> {
                assertThat(r.method()).isEqualTo("PUT");
                assertThat(r.body()).isEqualTo("{\"flag\":\"ingestion\",\"enabled\":false,\"target\":\"hook-db\"}");
            });
            s.resolved();
            s.await("resume-ingestion", Outcome.REVERTED);
            assertThat(hooks.requests("/flags/ingestion"))
                    .last()
                    .satisfies(r -> assertThat(r.body()).contains("\"enabled\":true"));
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(hooks.requests("/slack"))
                            .extracting(WebhookRecorder.Request::body)
                            .anySatisfy(body -> assertThat(body)
                                    .contains("hook-db")
                                    .contains(s.incident)
                                    .contains("level ELEVATED")
                                    .contains("pause-ingestion SUCCEEDED"))
                            .anySatisfy(body -> assertThat(body).contains("resume-ingestion REVERTED")));
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
