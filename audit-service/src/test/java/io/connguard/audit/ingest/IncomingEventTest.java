package io.connguard.audit.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.connguard.audit.EventIngestTest;
import io.connguard.events.ActionEvent;
import io.connguard.events.CloudEvent;
import io.connguard.events.EventJson;
import io.connguard.events.KafkaCloudEvents;
import io.connguard.events.PressureChanged;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The incident id the projection groups by is {@code data.incidentId} only when it is a JSON string, for the known
 * types (read into the contract's records, whose mapper turns a number into a string) as for any other type.
 */
class IncomingEventTest {

    private static final Instant AT = Instant.parse("2026-11-27T08:00:00Z");

    @Test
    void aStringIncidentIdOfAKnownTypeIsTheIncident() {
        assertThat(incidentIdOf(pressure(), data -> {})).isEqualTo("inc-db-1");
        assertThat(incidentIdOf(action(), data -> {})).isEqualTo("inc-db-1");
    }

    @Test
    void aNumberOrBooleanIsNotAnIncidentIdEvenForAKnownType() {
        assertThat(incidentIdOf(pressure(), data -> data.put("incidentId", 42))).isNull();
        assertThat(incidentIdOf(pressure(), data -> data.put("incidentId", 4.2)))
                .isNull();
        assertThat(incidentIdOf(action(), data -> data.put("incidentId", 42))).isNull();
        assertThat(incidentIdOf(action(), data -> data.put("incidentId", true))).isNull();
    }

    @Test
    void anAbsentOrNullIncidentIdIsNone() {
        assertThat(incidentIdOf(pressure(), data -> data.remove("incidentId"))).isNull();
        assertThat(incidentIdOf(action(), data -> data.putNull("incidentId"))).isNull();
    }

    @Test
    void onlyATopLevelIncidentIdCountsAndTheLastOfDuplicatesWins() {
        // a nested incidentId (in a field the contract does not know) is not the event's
        assertThat(incidentIdOf(pressure(), data -> {
                    data.remove("incidentId");
                    data.putObject("annotations").put("incidentId", "inc-nested");
                }))
                .isNull();
        // duplicate keys: the contract's mapper keeps the last one, and so does the projection
        assertThat(incidentId(pressure(), "{\"incidentId\":\"inc-first\",", ",\"incidentId\":7}"))
                .isNull();
        assertThat(incidentId(pressure(), "{\"incidentId\":7,", ",\"incidentId\":\"inc-last\"}"))
                .isEqualTo("inc-last");
    }

    @Test
    void anUnknownTypeFollowsTheSameRule() {
        CloudEvent<Object> future = new CloudEvent<>(
                UUID.randomUUID().toString(),
                URI.create("urn:connguard:test"),
                "io.connguard.future.v1",
                "db-1",
                AT,
                EventJson.mapper().createObjectNode().put("incidentId", "inc-db-1"));
        assertThat(incidentIdOf(future, data -> {})).isEqualTo("inc-db-1");
        assertThat(incidentIdOf(future, data -> data.put("incidentId", 42))).isNull();
    }

    private static String incidentIdOf(CloudEvent<?> event, Consumer<ObjectNode> edit) {
        ObjectNode data = EventJson.mapper().valueToTree(event.data());
        edit.accept(data);
        return decodeOne(event, data.toString());
    }

    // the payload with raw JSON around its other fields: for duplicate keys, which a tree cannot hold
    private static String incidentId(CloudEvent<?> event, String before, String after) {
        ObjectNode data = EventJson.mapper().valueToTree(event.data());
        data.remove("incidentId");
        String fields = data.toString();
        return decodeOne(event, before + fields.substring(1, fields.length() - 1) + after);
    }

    private static String decodeOne(CloudEvent<?> event, String json) {
        ProducerRecord<String, byte[]> sent = KafkaCloudEvents.toRecord("connguard.test", event);
        ConsumerRecord<String, byte[]> record =
                new ConsumerRecord<>("connguard.test", 0, 0L, sent.key(), json.getBytes(StandardCharsets.UTF_8));
        sent.headers().forEach(h -> record.headers().add(h));
        Batch batch = Batch.decode(List.of(record));
        assertThat(batch.quarantined()).as("quarantined").isEmpty();
        return batch.events().get(0).incidentId();
    }

    private static CloudEvent<PressureChanged> pressure() {
        return EventIngestTest.pressure("db-1", AT);
    }

    private static CloudEvent<ActionEvent> action() {
        return EventIngestTest.action(pressure(), AT);
    }
}
