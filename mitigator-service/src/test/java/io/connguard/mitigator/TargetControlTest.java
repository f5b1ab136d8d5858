package io.connguard.mitigator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.connguard.events.ActionEvent;
import io.connguard.events.Level;
import io.connguard.events.Outcome;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An operator's way back from fail-closed: restore and resume, authenticated and audited. */
@QuarkusTest
@WithTestResource(value = MitigatorTestInfra.class, scope = TestResourceScope.GLOBAL)
class TargetControlTest {

    @Test
    void aRestoreWithoutATokenIsRefusedAndChangesNothing() {
        given().contentType("application/json")
                .body("{\"reason\":\"restore\"}")
                .post("/api/targets/operator-db/restore")
                .then()
                .statusCode(401)
                .contentType("application/problem+json");
        given().auth()
                .oauth2(MitigatorTestInfra.READER_TOKEN)
                .contentType("application/json")
                .body("{\"reason\":\"restore\"}")
                .post("/api/targets/operator-db/restore")
                .then()
                .statusCode(403)
                .contentType("application/problem+json");
    }

    @Test
    void aTargetThatFailedClosedIsRestoredByAnOperatorAndTheTrailNamesThem() {
        try (Scenario s = new Scenario("operator-db")) {
            // no flag ConfigMap: the pause fails and the target fails closed
            s.send(Level.CRITICAL, 96);
            s.await("pause-ingestion", Outcome.FAILED);

            // the operator fixes the flag (paused by hand meanwhile) and asks for the staged restore
            s.k8s.configMaps()
                    .inNamespace(s.namespace)
                    .resource(new ConfigMapBuilder()
                            .withNewMetadata()
                            .withName("flags")
                            .withNamespace(s.namespace)
                            .endMetadata()
                            .withData(Map.of("ingestion-enabled", "true"))
                            .build())
                    .create();
            operator()
                    .body("{\"by\":\"mallory\",\"reason\":\"flags recreated\"}")
                    .post("/api/targets/operator-db/restore")
                    .then()
                    .statusCode(200)
                    .body("by", equalTo("alice"))
                    .body("events.action", hasItem("resume-ingestion"));

            ActionEvent requested = s.await("operator-restore", Outcome.SUCCEEDED);
            assertThat(requested.evidence().get("by").asText()).isEqualTo("alice");
            assertThat(requested.reason()).isEqualTo("flags recreated");
            s.await("resume-ingestion", Outcome.PLANNED);
            assertThat(s.flag()).isEqualTo("true");
        }
    }

    @Test
    void aResumeOfATargetThatIsNotHeldSaysSoAndAnUnknownTargetIs404() {
        operator()
                .body("{\"reason\":\"just in case\"}")
                .post("/api/targets/lease-db/resume")
                .then()
                .statusCode(200)
                .body("events.reason", hasItem("nothing to resume: the target is not failed closed"));
        operator()
                .body("{\"reason\":\"typo\"}")
                .post("/api/targets/no-such-db/restore")
                .then()
                .statusCode(404)
                .contentType("application/problem+json");
        operator().body("{}").post("/api/targets/lease-db/restore").then().statusCode(400);
    }

    private static RequestSpecification operator() {
        return given().auth().oauth2(MitigatorTestInfra.OPERATOR_TOKEN).contentType("application/json");
    }
}
