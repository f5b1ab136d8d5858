package io.connguard.events;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class CloudEventSerdeTest {

    private final CloudEventDataSerializer serializer = new CloudEventDataSerializer();
    private final CloudEventDeserializer deserializer = new CloudEventDeserializer();

    @Test
    void serializingACloudEventWritesItsDataAndSetsItsHeaders() throws IOException {
        CloudEvent<PressureChanged> event = KafkaCloudEventsTest.goldenCriticalEvent();
        RecordHeaders headers = new RecordHeaders();
        headers.add("ce_type", "stale".getBytes(UTF_8));
        headers.add("traceparent", "00-abc-def-01".getBytes(UTF_8));

        byte[] value = serializer.serialize(Topics.PRESSURE, headers, event);

        Golden.assertSameJson(
                EventJson.mapper().readTree(value), Golden.tree("pressure-changed-v1.critical.json"), "value");
        assertThat(KafkaCloudEventsTest.header(headers, "traceparent")).isEqualTo("00-abc-def-01");
        headers.remove("traceparent");
        assertThat(KafkaCloudEventsTest.asMap(headers)).isEqualTo(KafkaCloudEventsTest.goldenHeaders());
    }

    @Test
    void serializingAPayloadWritesContractJson() throws IOException {
        ActionEvent action = EventJson.mapper().readValue(Golden.bytes("action-v1.skipped.json"), ActionEvent.class);

        byte[] value = serializer.serialize(Topics.ACTIONS, new RecordHeaders(), action);

        Golden.assertSameJson(EventJson.mapper().readTree(value), Golden.tree("action-v1.skipped.json"), "value");
        assertThat(serializer.serialize(Topics.ACTIONS, null)).isNull();
        assertThatThrownBy(() -> serializer.serialize(Topics.PRESSURE, KafkaCloudEventsTest.goldenCriticalEvent()))
                .isInstanceOf(SerializationException.class);
    }

    @Test
    void deserializerReadsWhatTheSerializerWrote() {
        RecordHeaders headers = new RecordHeaders();
        byte[] value = serializer.serialize(Topics.PRESSURE, headers, KafkaCloudEventsTest.goldenCriticalEvent());

        CloudEvent<JsonNode> event = deserializer.deserialize(Topics.PRESSURE, headers, value);

        assertThat(event.id()).isEqualTo("0f8a3c52-6a1e-4f53-9a53-3f4b8e2c9d11");
        assertThat(event.data().get("level").asText()).isEqualTo("CRITICAL");
    }

    @Test
    void deserializerReportsAContractViolationAsSerializationException() {
        assertThatThrownBy(() -> deserializer.deserialize(Topics.PRESSURE, new RecordHeaders(), new byte[] {'{', '}'}))
                .isInstanceOf(SerializationException.class)
                .hasMessage("missing header ce_specversion")
                .hasCauseInstanceOf(MalformedEventException.class);
    }
}
