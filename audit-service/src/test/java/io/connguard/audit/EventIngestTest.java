package io.connguard.audit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.connguard.events.ActionEvent;
import io.connguard.events.Capacity;
import io.connguard.events.CloudEvent;
import io.connguard.events.Command;
import io.connguard.events.Connections;
import io.connguard.events.EventType;
import io.connguard.events.KafkaCloudEvents;
import io.connguard.events.Level;
import io.connguard.events.Mode;
import io.connguard.events.Outcome;
import io.connguard.events.PressureChanged;
import io.connguard.events.Topics;
import io.connguard.infra.SharedInfra;
import io.connguard.infra.kafka.TopicTail;
import io.connguard.infra.kafka.TopicWriter;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(value = AuditTestInfra.class, scope = TestResourceScope.GLOBAL)
class EventIngestTest {

    private static final URI SOURCE = URI.create("urn:connguard:test");

    @Test
    void storesEachEventOnceAndServesThemInTimeOrder() {
        CloudEvent<PressureChanged> pressure = pressure("db-1", Instant.parse("2026-11-27T10:00:00Z"));
        CloudEvent<ActionEvent> action = action(pressure, Instant.parse("2026-11-27T10:00:01Z"));
        try (TopicWriter writer = writer()) {
            // the action first and the pressure event twice: order comes from event time, not arrival
            writer.send(KafkaCloudEvents.toRecord(Topics.ACTIONS, action));
            writer.send(KafkaCloudEvents.toRecord(Topics.PRESSURE, pressure));
            writer.send(KafkaCloudEvents.toRecord(Topics.PRESSURE, pressure));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> events("db-1").size() == 2);
        // give a duplicate the chance to be (wrongly) stored
        await().during(Duration.ofSeconds(1)).until(() -> events("db-1").size() == 2);

        List<Object> ids = eventsJson("db-1").getList("id");
        assertThat(ids).containsExactly(pressure.id(), action.id());
        JsonPath stored = eventsJson("db-1");
        assertThat(stored.getString("[0].type")).isEqualTo(EventType.PRESSURE_CHANGED.type());
        assertThat(stored.getString("[0].incidentId")).isEqualTo("inc-db-1");
        assertThat(stored.getString("[0].kafkaTopic")).isEqualTo(Topics.PRESSURE);
        assertThat(stored.getString("[1].data.causationId")).isEqualTo(pressure.id());
    }

    @Test
    void aMalformedRecordIsDeadLetteredAndIngestCarriesOn() {
        try (TopicTail dlq = TopicTail.fromNow(SharedInfra.kafka().bootstrapServers(), "connguard.audit.dlq");
                TopicWriter writer = writer()) {
            writer.send(new ProducerRecord<>(Topics.PRESSURE, "db-2", "{broken".getBytes()));
            dlq.await(r -> "db-2".equals(r.key()), Duration.ofSeconds(20), "the malformed record");

            writer.send(KafkaCloudEvents.toRecord(Topics.PRESSURE, pressure("db-2", Instant.now())));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> events("db-2").size() == 1);
    }

    @Test
    void aMissingSubjectIsAProblem() {
        given().when()
                .get("/api/events")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("title", equalTo("Missing subject"))
                .body("status", equalTo(400));
    }

    private static List<Object> events(String subject) {
        return eventsJson(subject).getList("$");
    }

    private static JsonPath eventsJson(String subject) {
        return given().queryParam("subject", subject)
                .when()
                .get("/api/events")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    private static TopicWriter writer() {
        return new TopicWriter(SharedInfra.kafka().bootstrapServers());
    }

    private static CloudEvent<PressureChanged> pressure(String target, Instant at) {
        PressureChanged data = PressureChanged.minimal(
                target,
                "inc-" + target,
                Level.CRITICAL,
                Level.OK,
                "ratio_above_critical",
                at,
                Capacity.of(20, 3, 0),
                new Connections(17, 10, 7, 0, 0, 0, 0, 5, 0));
        return new CloudEvent<>(
                UUID.randomUUID().toString(), SOURCE, EventType.PRESSURE_CHANGED.type(), target, at, data);
    }

    private static CloudEvent<ActionEvent> action(CloudEvent<PressureChanged> cause, Instant at) {
        ActionEvent data = new ActionEvent(
                "act-1",
                cause.subject(),
                cause.data().incidentId(),
                cause.id(),
                "observe",
                ActionEvent.ACTION_NONE,
                Mode.ENFORCE,
                Outcome.NOOP,
                Command.none(),
                null,
                null,
                null,
                "nothing to do",
                null,
                at,
                at,
                0L);
        return new CloudEvent<>("act-1/NOOP", SOURCE, EventType.ACTION.type(), cause.subject(), at, data);
    }
}
