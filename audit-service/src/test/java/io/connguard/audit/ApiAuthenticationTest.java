package io.connguard.audit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The defaults: no token configured, the read API open, and no change possible through the API. */
@QuarkusTest
@WithTestResource(value = AuditTestInfra.class, scope = TestResourceScope.GLOBAL)
class ApiAuthenticationTest {

    @Test
    void withNoTokenConfiguredEveryChangeIsRefusedAndSaysWhy() {
        for (String method : new String[] {"POST", "PUT", "PATCH", "DELETE"}) {
            given().auth()
                    .oauth2("any-token-at-all-0123456789")
                    .request(method, "/api/events")
                    .then()
                    .statusCode(401)
                    .contentType("application/problem+json")
                    .header("WWW-Authenticate", "Bearer realm=\"connguard\", error=\"invalid_token\"")
                    .body(
                            "detail",
                            equalTo("no operator tokens are configured (connguard.auth.tokens-dir): this"
                                    + " service refuses every request that needs one"));
        }
    }

    @Test
    void theReadApiIsOpenByDefault() {
        given().get("/api/incidents").then().statusCode(200);
    }
}
