package io.connguard.audit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.connguard.events.EventType;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The production setting: the read API needs a token as well, and changes need an operator's. */
@QuarkusTest
@TestProfile(ReadRequiresTokenTest.WithTokens.class)
@WithTestResource(value = AuditTestInfra.class, scope = TestResourceScope.GLOBAL)
class ReadRequiresTokenTest {

    static final String OPERATOR_TOKEN = "auditor-token-0123456789abcdef";
    static final String READER_TOKEN = "grafana-token-0123456789abcdef";

    public static class WithTokens implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path tokens = Files.createTempDirectory("audit-tokens");
                Files.writeString(tokens.resolve("auditor"), OPERATOR_TOKEN);
                Files.writeString(tokens.resolve("grafana"), READER_TOKEN);
                return Map.of(
                        "connguard.auth.tokens-dir", tokens.toString(),
                        "connguard.auth.read-requires-token", "true",
                        "connguard.auth.roles.grafana", "reader");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Test
    void everyApiEndpointWantsAToken() {
        for (String path : new String[] {
            "/api/events?subject=x",
            "/api/incidents",
            "/api/incidents/x/timeline",
            "/api/incidents/x/postmortem.md",
            "/api/chains/x/verify",
            "/api/quarantine"
        }) {
            given().get(path)
                    .then()
                    .statusCode(401)
                    .contentType("application/problem+json")
                    .header("WWW-Authenticate", "Bearer realm=\"connguard\"")
                    .body("title", equalTo("Unauthorized"))
                    .body("detail", equalTo("this request needs a bearer token (Authorization: Bearer <token>)"));
        }
        given().auth()
                .oauth2("not-a-token-anyone-was-given")
                .get("/api/incidents")
                .then()
                .statusCode(401)
                .contentType("application/problem+json")
                .body("detail", equalTo("the bearer token is not valid"));
        given().header("Authorization", "Basic " + READER_TOKEN)
                .get("/api/incidents")
                .then()
                .statusCode(401);
    }

    /** A consumer resolves an event's dataschema here without a token: the contract holds no data. */
    @Test
    void theEventContractIsPublic() {
        for (EventType<?> type : EventType.all()) {
            given().get(type.dataschema().getPath())
                    .then()
                    .statusCode(200)
                    .contentType("application/schema+json")
                    .body("$id", equalTo(type.dataschema().toString()))
                    .body("title", equalTo(type.type()));
        }
        given().get("/schemas/events/asyncapi.yaml")
                .then()
                .statusCode(200)
                .contentType("application/yaml")
                .body(startsWith("# connguard's event contract"));
        given().get("/schemas/events/..%2F..%2Fapplication.properties")
                .then()
                .statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void anyValidTokenReadsAndTheSchemeIsCaseInsensitive() {
        given().auth().oauth2(READER_TOKEN).get("/api/incidents").then().statusCode(200);
        given().header("Authorization", "bearer " + OPERATOR_TOKEN)
                .get("/api/incidents/none")
                .then()
                .statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void aChangeNeedsAnOperatorNotJustAValidToken() {
        given().post("/api/incidents").then().statusCode(401).contentType("application/problem+json");
        given().auth()
                .oauth2(READER_TOKEN)
                .post("/api/incidents")
                .then()
                .statusCode(403)
                .contentType("application/problem+json")
                .body("detail", startsWith("'grafana' is authenticated but lacks the role"));
        // an operator passes authentication and meets the API as it is: there is nothing to change here
        given().auth().oauth2(OPERATOR_TOKEN).post("/api/incidents").then().statusCode(405);
    }

    @Test
    void healthAndThePageStayOpenForProbesAndBrowsers() {
        given().get("/q/health/live").then().statusCode(200);
        given().get("/").then().statusCode(200);
    }
}
