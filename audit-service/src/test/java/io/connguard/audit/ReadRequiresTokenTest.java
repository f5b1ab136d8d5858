package io.connguard.audit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(BearerTokenTest.WithToken.class)
@WithTestResource(value = AuditTestInfra.class, scope = TestResourceScope.GLOBAL)
class BearerTokenTest {

    static final String TOKEN = "s3cret-audit-token";

    public static class WithToken implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("connguard.audit.api.token", TOKEN);
        }
    }

    @Test
    void everyApiEndpointWantsTheToken() {
        for (String path : new String[] {
            "/api/events?subject=x",
            "/api/incidents",
            "/api/incidents/x/timeline",
            "/api/chains/x/verify",
            "/api/quarantine"
        }) {
            given().get(path)
                    .then()
                    .statusCode(401)
                    .contentType("application/problem+json")
                    .header("WWW-Authenticate", "Bearer realm=\"connguard-audit\"")
                    .body("title", equalTo("Unauthorized"));
        }
        given().header("Authorization", "Bearer wrong")
                .get("/api/incidents")
                .then()
                .statusCode(401)
                .contentType("application/problem+json")
                .body("detail", equalTo("the bearer token is not valid"));
        given().header("Authorization", "Basic " + TOKEN)
                .get("/api/incidents")
                .then()
                .statusCode(401);
    }

    @Test
    void theRightTokenOpensIt() {
        given().header("Authorization", "Bearer " + TOKEN)
                .get("/api/incidents")
                .then()
                .statusCode(200);
        given().header("Authorization", "bearer " + TOKEN)
                .get("/api/incidents/none")
                .then()
                .statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void healthAndThePageStayOpenForProbesAndBrowsers() {
        given().get("/q/health/live").then().statusCode(200);
    }
}
