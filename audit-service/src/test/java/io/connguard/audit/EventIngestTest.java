package io.connguard.audit;

import static io.connguard.audit.Api.events;
import static io.connguard.audit.Api.eventsJson;
import static io.connguard.audit.Api.writer;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
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
import io.connguard.infra.kafka.TopicWriter;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(value = AuditTestInfra.class, scope = TestResourceScope.GLOBAL)
public class EventIngestTest {

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

        JsonPath stored = eventsJson("db-1");
        assertThat(stored.getList("id")).containsExactly(pressure.id(), action.id());
        assertThat(stored.getString("[0].type")).isEqualTo(EventType.PRESSURE_CHANGED.type());
        assertThat(stored.getString("[0].incidentId")).isEqualTo("inc-db-1");
        assertThat(stored.getString("[0].kafkaTopic")).isEqualTo(Topics.PRESSURE);
        assertThat(stored.getString("[1].kafkaTopic")).isEqualTo(Topics.ACTIONS);
        assertThat(stored.getString("[1].data.causationId")).isEqualTo(pressure.id());
        // both links of the target's hash chain, in the order they were stored
        assertThat(stored.getList("chainPosition", Integer.class)).containsExactlyInAnyOrder(1, 2);
        assertThat(stored.getString("[0].chainHash")).hasSize(64);
    }

    @Test
    void aLoneEventIsStoredWithinASecond() {
        try (TopicWriter writer = writer()) {
            // once the consumer has joined its group and got its partitions...
            writer.send(KafkaCloudEvents.toRecord(Topics.PRESSURE, pressure("db-warm-up", Instant.now())));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> events("db-warm-up").size() == 1);
            // ...a lone event does not wait for a batch to fill
            writer.send(KafkaCloudEvents.toRecord(Topics.PRESSURE, pressure("db-lone", Instant.now())));
        }
        await().atMost(Duration.ofSeconds(1))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> events("db-lone").size() == 1);
    }

    @Test
    void unreadableRecordsAreQuarantinedAsTheyArrivedAndIngestCarriesOn() {
        String target = "db-quarantine-" + UUID.randomUUID().toString().substring(0, 8);
        CloudEvent<PressureChanged> good = pressure(target, Instant.now());
        try (TopicWriter writer = writer()) {
            // not a CloudEvent at all
            writer.send(new ProducerRecord<>(Topics.PRESSURE, target + "-broken", "{broken".getBytes()));
            // a pressure event whose payload does not fit the contract
            RecordHeaders headers = (RecordHeaders) KafkaCloudEvents.headers(good);
            headers.remove(KafkaCloudEvents.ID_HEADER);
            headers.add(KafkaCloudEvents.ID_HEADER, UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
            writer.send(new ProducerRecord<>(
                    Topics.PRESSURE,
                    null,
                    target + "-purple",
                    "{\"targetId\":\"x\",\"level\":\"PURPLE\"}".getBytes(),
                    headers));
            // valid JSON of a future type that PostgreSQL's jsonb cannot hold (a NUL character)
            CloudEvent<Object> nul = new CloudEvent<>(
                    UUID.randomUUID().toString(),
                    SOURCE,
                    "io.connguard.future.v1",
                    target,
                    Instant.now(),
                    Map.of("note", "before\u0000after"));
            writer.send(new ProducerRecord<>(
                    Topics.PRESSURE, null, target + "-nul", KafkaCloudEvents.data(nul), KafkaCloudEvents.headers(nul)));
            writer.send(KafkaCloudEvents.toRecord(Topics.PRESSURE, good));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> events(target).size() == 1);
        assertThat(eventsJson(target).getString("[0].id")).isEqualTo(good.id());

        await().atMost(Duration.ofSeconds(10)).until(() -> quarantined(target).size() == 3);
        List<Map<String, Object>> kept = quarantined(target);
        assertThat(kept)
                .extracting(q -> q.get("key"))
                .containsExactlyInAnyOrder(target + "-broken", target + "-purple", target + "-nul");
        Map<String, Object> broken = byKey(kept, target + "-broken");
        assertThat(broken.get("reason")).isEqualTo("missing header ce_specversion");
        assertThat(broken.get("kafkaTopic")).isEqualTo(Topics.PRESSURE);
        assertThat(new String(java.util.Base64.getDecoder().decode((String) broken.get("valueBase64"))))
                .isEqualTo("{broken");
        assertThat((String) byKey(kept, target + "-purple").get("reason"))
                .startsWith("invalid data for io.connguard.pressure.changed.v1");
        Map<String, Object> nul = byKey(kept, target + "-nul");
        assertThat((String) nul.get("reason")).startsWith("rejected by the database");
        assertThat(nul.get("headers").toString()).contains("io.connguard.future.v1");
    }

    @Test
    void anEventOfAnUnknownTypeIsStoredAsItIs() {
        String target = "db-future";
        var data = JsonNodeFactory.instance.objectNode().put("targetId", target).put("novel", 42);
        CloudEvent<Object> future = new CloudEvent<>(
                UUID.randomUUID().toString(), SOURCE, "io.connguard.pressure.changed.v2", target, Instant.now(), data);
        try (TopicWriter writer = writer()) {
            writer.send(KafkaCloudEvents.toRecord("connguard.future-things", future));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> events(target).size() == 1);
        assertThat(eventsJson(target).getInt("[0].data.novel")).isEqualTo(42);
        assertThat(eventsJson(target).getString("[0].kafkaTopic")).isEqualTo("connguard.future-things");
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

    private static List<Map<String, Object>> quarantined(String target) {
        List<Map<String, Object>> all = given().queryParam("limit", 1000)
                .when()
                .get("/api/quarantine")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("$");
        return all.stream()
                .filter(q -> q.get("key") != null && q.get("key").toString().startsWith(target))
                .toList();
    }

    private static Map<String, Object> byKey(List<Map<String, Object>> records, String key) {
        return records.stream()
                .filter(q -> key.equals(q.get("key")))
                .findFirst()
                .orElseThrow();
    }

    /** A CRITICAL sample of {@code target} in incident {@code inc-<target>}, with a fresh id. */
    public static CloudEvent<PressureChanged> pressure(String target, Instant at) {
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

    /** A NOOP decision ({@code act-1}) caused by {@code cause}, in its incident. */
    public static CloudEvent<ActionEvent> action(CloudEvent<PressureChanged> cause, Instant at) {
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
