package io.connguard.events;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class KafkaCloudEventsTest {

    private static final URI DETECTOR = URI.create("urn:connguard:detector-service:detector-0");

    @Test
    void encodesTheGoldenEventAsTheGoldenHeadersAndData() throws IOException {
        CloudEvent<PressureChanged> event = goldenCriticalEvent();

        ProducerRecord<String, byte[]> record = KafkaCloudEvents.toRecord(Topics.PRESSURE, event);

        assertThat(record.topic()).isEqualTo("connguard.pressure");
        assertThat(record.key()).isEqualTo("orders-db");
        assertThat(record.partition()).isNull();
        assertThat(asMap(record.headers())).isEqualTo(goldenHeaders());
        Golden.assertSameJson(
                EventJson.mapper().readTree(record.value()),
                Golden.tree("pressure-changed-v1.critical.json"),
                "record value");
    }

    @Test
    void decodesTheGoldenHeadersAndDataIntoTheGoldenEvent() {
        CloudEvent<PressureChanged> decoded = KafkaCloudEvents.decode(
                headers(goldenHeaders()),
                Golden.bytes("pressure-changed-v1.critical.json"),
                EventType.PRESSURE_CHANGED);

        assertThat(decoded).isEqualTo(goldenCriticalEvent());
        assertThat(decoded.data().topClients()).hasSize(3);
        assertThat(decoded.data().blocked().get(1).blockedBy()).containsExactly(47990, 48305);
        assertThat(decoded.data().capacity().databaseLimit()).isEqualTo(90);
        assertThat(decoded.data().capacity().roleLimit()).isNull();
    }

    @Test
    void actionEventSurvivesEncodeAndDecode() throws IOException {
        ActionEvent action = EventJson.mapper().readValue(Golden.bytes("action-v1.succeeded.json"), ActionEvent.class);
        Clock clock = Clock.fixed(Instant.parse("2026-03-14T09:26:53.790123Z"), ZoneOffset.UTC);
        CloudEvent<ActionEvent> event = CloudEvent.create(
                URI.create("urn:connguard:mitigator-service:mitigator-0"),
                EventType.ACTION,
                "orders-db",
                action,
                clock);

        ProducerRecord<String, byte[]> record = KafkaCloudEvents.toRecord(Topics.ACTIONS, event);
        CloudEvent<ActionEvent> decoded = KafkaCloudEvents.decode(record.headers(), record.value(), EventType.ACTION);

        assertThat(decoded).isEqualTo(event);
        assertThat(decoded.time()).isEqualTo(Instant.parse("2026-03-14T09:26:53.790123Z"));
        assertThat(decoded.data().stateBefore().get("replicas").asInt()).isEqualTo(6);
        assertThat(header(record.headers(), "ce_time")).isEqualTo("2026-03-14T09:26:53.790123Z");
    }

    @Test
    void rejectsAMissingTypeHeader() {
        Map<String, String> headers = goldenHeaders();
        headers.remove("ce_type");

        assertThatThrownBy(() -> decodeCritical(headers))
                .isInstanceOf(MalformedEventException.class)
                .hasMessage("missing header ce_type");
    }

    @Test
    void rejectsAnotherSpecVersion() {
        Map<String, String> headers = goldenHeaders();
        headers.put("ce_specversion", "0.3");

        assertThatThrownBy(() -> decodeCritical(headers))
                .isInstanceOf(MalformedEventException.class)
                .hasMessage("unsupported ce_specversion '0.3', expected '1.0'");
    }

    @Test
    void rejectsAnotherType() {
        assertThatThrownBy(() -> KafkaCloudEvents.decode(
                        headers(goldenHeaders()), Golden.bytes("pressure-changed-v1.critical.json"), EventType.ACTION))
                .isInstanceOf(MalformedEventException.class)
                .hasMessage("unexpected ce_type 'io.connguard.pressure.changed.v1', expected 'io.connguard.action.v1'");
    }

    @Test
    void rejectsInvalidJson() {
        byte[] truncated = "{\"targetId\": \"orders-db\", \"level\": ".getBytes(UTF_8);

        assertThatThrownBy(
                        () -> KafkaCloudEvents.decode(headers(goldenHeaders()), truncated, EventType.PRESSURE_CHANGED))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageStartingWith("invalid JSON data for io.connguard.pressure.changed.v1: ")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> KafkaCloudEvents.decodeAny(headers(goldenHeaders()), truncated))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageStartingWith("invalid JSON data for io.connguard.pressure.changed.v1: ");
    }

    @Test
    void rejectsDataThatDoesNotFitTheTypeAndSaysWhere() {
        ObjectNode data = (ObjectNode) Golden.tree("pressure-changed-v1.critical.json");
        data.put("level", "SEVERE");

        assertThatThrownBy(() -> decodeCritical(goldenHeaders(), data))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageStartingWith("invalid data for io.connguard.pressure.changed.v1: ")
                .hasMessageContaining("SEVERE")
                .hasMessageEndingWith("(at $.level)");
    }

    @Test
    void rejectsDataWithoutARequiredField() {
        ObjectNode data = (ObjectNode) Golden.tree("pressure-changed-v1.critical.json");
        data.remove("targetId");

        assertThatThrownBy(() -> decodeCritical(goldenHeaders(), data))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("targetId must not be blank");
    }

    @Test
    void rejectsEmptyValueBlankHeaderBadTimeBadSourceAndForeignContentType() {
        assertThatThrownBy(() ->
                        KafkaCloudEvents.decode(headers(goldenHeaders()), new byte[0], EventType.PRESSURE_CHANGED))
                .hasMessage("missing data for io.connguard.pressure.changed.v1: the record value is empty");
        assertThatThrownBy(() -> decodeCritical(with("ce_id", " "))).hasMessage("empty header ce_id");
        assertThatThrownBy(() -> decodeCritical(with("ce_time", "1741944413")))
                .hasMessage("invalid header ce_time '1741944413': not an RFC 3339 timestamp");
        assertThatThrownBy(() -> decodeCritical(with("ce_source", "not a uri")))
                .hasMessage("invalid header ce_source 'not a uri': not a URI reference");
        assertThatThrownBy(() -> decodeCritical(with("content-type", "application/avro")))
                .hasMessage("unsupported content-type 'application/avro', expected 'application/json'");
        assertThatThrownBy(() -> KafkaCloudEvents.decodeAny(null, new byte[] {'{', '}'}))
                .hasMessage("missing header ce_specversion");
    }

    @Test
    void rejectsASubjectThatIsNotTheTargetOfTheData() {
        assertThatThrownBy(() -> decodeCritical(with("ce_subject", "billing-db")))
                .isInstanceOf(MalformedEventException.class)
                .hasMessage("invalid event 0f8a3c52-6a1e-4f53-9a53-3f4b8e2c9d11: "
                        + "subject 'billing-db' must equal data.targetId 'orders-db'");
    }

    @Test
    void acceptsTimeWithOffsetContentTypeWithParametersAndNoContentType() {
        CloudEvent<PressureChanged> offset = decodeCritical(with("ce_time", "2026-03-14T10:26:53.612+01:00"));
        CloudEvent<PressureChanged> charset = decodeCritical(with("content-type", "application/json; charset=utf-8"));
        Map<String, String> without = goldenHeaders();
        without.remove("content-type");

        assertThat(offset.time()).isEqualTo(Instant.parse("2026-03-14T09:26:53.612Z"));
        assertThat(charset).isEqualTo(goldenCriticalEvent());
        assertThat(decodeCritical(without)).isEqualTo(goldenCriticalEvent());
    }

    @Test
    void ignoresUnknownFieldsInData() {
        ObjectNode data = (ObjectNode) Golden.tree("pressure-changed-v1.critical.json");
        data.put("saturationForecastSeconds", 42);
        data.putObject("replication").put("lagBytes", 1024);
        ((ObjectNode) data.get("capacity")).put("maxPreparedTransactions", 0);
        ((ObjectNode) data.get("topClients").get(0)).put("backendType", "client backend");
        ObjectNode action = (ObjectNode) Golden.tree("action-v1.succeeded.json");
        action.put("approvedBy", "policy-v7");
        ((ObjectNode) action.get("command")).put("dryRunnable", true);

        CloudEvent<PressureChanged> pressure = decodeCritical(goldenHeaders(), data);
        ActionEvent decodedAction = KafkaCloudEvents.decode(
                        headers(with("ce_type", EventType.ACTION.type())), bytes(action), EventType.ACTION)
                .data();

        assertThat(pressure).isEqualTo(goldenCriticalEvent());
        assertThat(decodedAction)
                .isEqualTo(EventJson.mapper().convertValue(Golden.tree("action-v1.succeeded.json"), ActionEvent.class));
    }

    @Test
    void decodeAnyKeepsUnknownTypesAndAllTheirFields() {
        Map<String, String> headers = with("ce_type", "io.connguard.forecast.v1");
        byte[] value = "{\"targetId\":\"orders-db\",\"exhaustionInSeconds\":95}".getBytes(UTF_8);

        CloudEvent<JsonNode> event = KafkaCloudEvents.decodeAny(headers(headers), value);

        assertThat(event.type()).isEqualTo("io.connguard.forecast.v1");
        assertThat(event.subject()).isEqualTo("orders-db");
        assertThat(event.data().get("exhaustionInSeconds").asInt()).isEqualTo(95);
        assertThat(EventType.of(event.type())).isEmpty();
    }

    @Test
    void deadLetterKeepsTheRecordAndAddsWhyAndWhere() {
        Map<String, String> headers = goldenHeaders();
        headers.remove("ce_type");
        byte[] value = Golden.bytes("pressure-changed-v1.critical.json");
        ConsumerRecord<String, byte[]> consumed = new ConsumerRecord<>(
                Topics.PRESSURE,
                3,
                1234L,
                0L,
                TimestampType.CREATE_TIME,
                0,
                0,
                "orders-db",
                value,
                headers(headers),
                Optional.empty());
        String reason;
        try {
            KafkaCloudEvents.decode(consumed.headers(), consumed.value(), EventType.PRESSURE_CHANGED);
            throw new AssertionError("expected a MalformedEventException");
        } catch (MalformedEventException e) {
            reason = e.getMessage();
        }

        ProducerRecord<String, byte[]> dead = KafkaCloudEvents.deadLetter(consumed, reason);

        assertThat(dead.topic()).isEqualTo(Topics.PRESSURE_DLQ);
        assertThat(dead.key()).isEqualTo("orders-db");
        assertThat(dead.value()).isEqualTo(value);
        assertThat(header(dead.headers(), "ce_id")).isEqualTo("0f8a3c52-6a1e-4f53-9a53-3f4b8e2c9d11");
        assertThat(header(dead.headers(), "dead-letter-reason")).isEqualTo("missing header ce_type");
        assertThat(header(dead.headers(), "dead-letter-topic")).isEqualTo("connguard.pressure");
        assertThat(header(dead.headers(), "dead-letter-partition")).isEqualTo("3");
        assertThat(header(dead.headers(), "dead-letter-offset")).isEqualTo("1234");
    }

    static CloudEvent<PressureChanged> goldenCriticalEvent() {
        Map<String, String> headers = goldenHeaders();
        try {
            return new CloudEvent<>(
                    headers.get("ce_id"),
                    URI.create(headers.get("ce_source")),
                    headers.get("ce_type"),
                    headers.get("ce_subject"),
                    Instant.parse(headers.get("ce_time")),
                    EventJson.mapper()
                            .readValue(Golden.bytes("pressure-changed-v1.critical.json"), PressureChanged.class));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static Map<String, String> goldenHeaders() {
        Map<String, String> headers = new LinkedHashMap<>();
        Golden.tree("headers.pressure-changed-v1.critical.json")
                .fields()
                .forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
        return headers;
    }

    static Headers headers(Map<String, String> values) {
        RecordHeaders headers = new RecordHeaders();
        values.forEach((k, v) -> headers.add(k, v.getBytes(UTF_8)));
        return headers;
    }

    static Map<String, String> asMap(Headers headers) {
        Map<String, String> map = new LinkedHashMap<>();
        for (Header header : headers) {
            assertThat(map).as("header %s appears once", header.key()).doesNotContainKey(header.key());
            map.put(header.key(), new String(header.value(), UTF_8));
        }
        return map;
    }

    static String header(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null ? null : new String(header.value(), UTF_8);
    }

    private static Map<String, String> with(String name, String value) {
        Map<String, String> headers = goldenHeaders();
        headers.put(name, value);
        return headers;
    }

    private static CloudEvent<PressureChanged> decodeCritical(Map<String, String> headers) {
        return KafkaCloudEvents.decode(
                headers(headers), Golden.bytes("pressure-changed-v1.critical.json"), EventType.PRESSURE_CHANGED);
    }

    private static CloudEvent<PressureChanged> decodeCritical(Map<String, String> headers, JsonNode data) {
        return KafkaCloudEvents.decode(headers(headers), bytes(data), EventType.PRESSURE_CHANGED);
    }

    private static byte[] bytes(JsonNode node) {
        return node.toString().getBytes(UTF_8);
    }
}
