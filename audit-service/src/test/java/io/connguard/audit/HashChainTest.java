package io.connguard.audit;

import static io.connguard.audit.Api.events;
import static io.connguard.audit.Api.writer;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.connguard.events.CloudEvent;
import io.connguard.events.KafkaCloudEvents;
import io.connguard.events.PressureChanged;
import io.connguard.events.Topics;
import io.connguard.infra.kafka.TopicWriter;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(value = AuditTestInfra.class, scope = TestResourceScope.GLOBAL)
class HashChainTest {

    @Test
    void theChainVerifiesUntilARowIsEditedByHandThenNamesThatRow() {
        String target = "chain-db";
        List<CloudEvent<PressureChanged>> sent = new ArrayList<>();
        try (TopicWriter writer = writer()) {
            for (int i = 0; i < 5; i++) {
                CloudEvent<PressureChanged> event = EventIngestTest.pressure(
                        target, Instant.parse("2026-11-27T10:00:00Z").plusSeconds(i));
                sent.add(event);
                writer.send(KafkaCloudEvents.toRecord(Topics.PRESSURE, event));
            }
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> events(target).size() == 5);

        JsonPath intact = verify(target);
        assertThat(intact.getBoolean("valid")).isTrue();
        assertThat(intact.getLong("rows")).isEqualTo(5);
        assertThat(intact.getLong("headPosition")).isEqualTo(5);
        assertThat(intact.getString("headHash")).hasSize(64);
        assertThat(intact.getString("firstMismatch")).isNull();

        // the application cannot change a row...
        assertThatThrownBy(() -> AuditTestInfra.database()
                        .execute("audit", "UPDATE event SET data = '{}' WHERE subject = '" + target + "'"))
                .hasStackTraceContaining("append-only");
        // ...but a superuser can switch the guard off: the chain still tells
        AuditTestInfra.database().execute("audit", """
                DO $$ BEGIN
                    ALTER TABLE event DISABLE TRIGGER event_append_only;
                    UPDATE event SET data = jsonb_set(data, '{ratio}', '0.42')
                        WHERE subject = 'chain-db' AND chain_position = 3;
                    ALTER TABLE event ENABLE TRIGGER event_append_only;
                END $$
                """);

        JsonPath tampered = verify(target);
        assertThat(tampered.getBoolean("valid")).isFalse();
        assertThat(tampered.getLong("firstMismatch.chainPosition")).isEqualTo(3);
        String editedId = given().queryParam("subject", target)
                .get("/api/events")
                .jsonPath()
                .getString("find { it.chainPosition == 3 }.id");
        assertThat(tampered.getString("firstMismatch.eventId")).isEqualTo(editedId);
        assertThat(tampered.getString("firstMismatch.reason")).contains("does not match");
    }

    @Test
    void anUnknownSubjectIsA404Problem() {
        given().when()
                .get("/api/chains/no-such-target/verify")
                .then()
                .statusCode(404)
                .contentType("application/problem+json")
                .body("title", equalTo("Unknown subject"));
    }

    private static JsonPath verify(String target) {
        return given().when()
                .get("/api/chains/" + target + "/verify")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }
}
