package io.connguard.audit;

import static io.restassured.RestAssured.given;

import io.connguard.infra.SharedInfra;
import io.connguard.infra.kafka.TopicWriter;
import io.restassured.path.json.JsonPath;
import java.util.List;

/** Small helpers over the service's REST API and the shared broker for the tests. */
final class Api {

    private Api() {}

    static List<Object> events(String subject) {
        return eventsJson(subject).getList("$");
    }

    static JsonPath eventsJson(String subject) {
        return given().queryParam("subject", subject)
                .when()
                .get("/api/events")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    static TopicWriter writer() {
        return new TopicWriter(SharedInfra.kafka().bootstrapServers());
    }
}
