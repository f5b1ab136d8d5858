package io.connguard.mitigator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * The counters alerts are written on exist from start-up, at zero: {@code increase()} sees the first failure only when
 * the series had a sample before it (signal-db and hook-db are configured targets no scenario drives to a failure).
 */
@QuarkusTest
@WithTestResource(value = MitigatorTestInfra.class, scope = TestResourceScope.GLOBAL)
class MetricsAtStartTest {

    @Test
    void theCountersTheAlertsWatchAreExportedAtZeroForEveryConfiguredTargetAndAction() {
        String metrics =
                given().get("/q/metrics").then().statusCode(200).extract().asString();

        assertThat(metrics)
                .contains("# HELP connguard_actions Action events published, by target, action and outcome")
                .contains(
                        "connguard_actions_total{action=\"scale-workload\",outcome=\"FAILED\",target=\"signal-db\"} 0.0")
                .contains(
                        "connguard_actions_total{action=\"cancel-query\",outcome=\"FAILED\",target=\"signal-db\"} 0.0")
                .contains(
                        "connguard_actions_total{action=\"restore-workload\",outcome=\"REVERTED\",target=\"signal-db\"} 0.0")
                .contains("connguard_budget_exhausted_total{action=\"pause-ingestion\",target=\"signal-db\"} 0.0")
                .contains("connguard_notify_failures_total{target=\"hook-db\"} 0.0")
                .contains("connguard_notify_suppressed_total{target=\"hook-db\"} 0.0");
        // bounded by the configuration: a policy without a notify webhook has no notify series
        assertThat(metrics).doesNotContain("connguard_notify_failures_total{target=\"signal-db\"}");
    }
}
