package io.connguard.events;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.cloudevents.SpecVersion;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.kafka.CloudEventSerializer;
import io.cloudevents.kafka.KafkaMessageFactory;
import io.cloudevents.rw.CloudEventRWException;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a team outside connguard sees: our records read with the CloudEvents Java SDK's Kafka binding, and events the
 * SDK writes read by connguard. A consumer finds the schema of every event from its {@code dataschema} alone.
 */
class CloudEventsSdkInteropTest {

    private static final URI DETECTOR = URI.create("urn:connguard:detector-service:detector-0");
    private static final Instant TIME = Instant.parse("2026-03-14T09:26:53.612Z");

    static Stream<Arguments> fixtures() {
        return EventType.all().stream()
                .flatMap(type -> Golden.fixturesOf(type).stream().map(name -> Arguments.of(type, name)));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("fixtures")
    void theSdkReadsEveryEventWeWriteAndFindsItsSchemaByDataschema(EventType<?> type, String name) throws IOException {
        String target = Golden.tree(name).path("targetId").asText();
        CloudEvent<?> ours = new CloudEvent<>(
                "id-" + name,
                DETECTOR,
                type.type(),
                target,
                TIME,
                EventJson.mapper().readValue(Golden.bytes(name), type.dataClass()));

        io.cloudevents.CloudEvent read = KafkaMessageFactory.createReader(
                        consumed(KafkaCloudEvents.toRecord(Topics.PRESSURE, ours)))
                .toEvent();

        assertThat(read.getSpecVersion()).isEqualTo(SpecVersion.V1);
        assertThat(read.getId()).isEqualTo("id-" + name);
        assertThat(read.getSource()).isEqualTo(DETECTOR);
        assertThat(read.getType()).isEqualTo(type.type());
        assertThat(read.getSubject()).isEqualTo(target);
        assertThat(read.getTime()).isEqualTo(OffsetDateTime.ofInstant(TIME, ZoneOffset.UTC));
        assertThat(read.getDataContentType()).isEqualTo("application/json");
        assertThat(read.getDataSchema()).isEqualTo(type.dataschema());
        EventType<?> bySchema = schemaOf(read.getDataSchema()).orElseThrow();
        assertThat(Schemas.errors(bySchema, new String(read.getData().toBytes(), UTF_8)))
                .as("the data against the schema its dataschema names")
                .isEmpty();
    }

    @Test
    void theSdkReadsTheGoldenHeaders() throws IOException {
        Headers headers = new RecordHeaders();
        Map<String, String> golden = EventJson.mapper()
                .readValue(
                        Golden.bytes("headers.pressure-changed-v1.critical.json"),
                        EventJson.mapper().getTypeFactory().constructMapType(Map.class, String.class, String.class));
        golden.forEach((name, value) -> headers.add(name, value.getBytes(UTF_8)));

        io.cloudevents.CloudEvent read = KafkaMessageFactory.createReader(
                        headers, Golden.bytes("pressure-changed-v1.critical.json"))
                .toEvent();

        assertThat(read.getType()).isEqualTo(EventType.PRESSURE_CHANGED.type());
        assertThat(read.getDataSchema()).isEqualTo(EventType.PRESSURE_CHANGED.dataschema());
        assertThat(read.getExtensionNames()).isEmpty();
    }

    @Test
    void weReadAnEventTheSdkWritesInBinaryMode() {
        io.cloudevents.CloudEvent written = CloudEventBuilder.v1()
                .withId("sdk-1")
                .withSource(DETECTOR)
                .withType(EventType.PRESSURE_CHANGED.type())
                .withSubject("orders-db")
                .withTime(OffsetDateTime.ofInstant(TIME, ZoneOffset.UTC))
                .withDataSchema(EventType.PRESSURE_CHANGED.dataschema())
                .withDataContentType("application/json")
                .withExtension("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .withData(Golden.bytes("pressure-changed-v1.critical.json"))
                .build();
        Headers headers = new RecordHeaders();
        byte[] value;
        try (CloudEventSerializer serializer = new CloudEventSerializer()) {
            serializer.configure(Map.of(CloudEventSerializer.ENCODING_CONFIG, "BINARY"), false);
            value = serializer.serialize(Topics.PRESSURE, headers, written);
        }

        CloudEvent<PressureChanged> decoded = KafkaCloudEvents.decode(headers, value, EventType.PRESSURE_CHANGED);

        assertThat(decoded.id()).isEqualTo("sdk-1");
        assertThat(decoded.time()).isEqualTo(TIME);
        assertThat(decoded.data().targetId()).isEqualTo("orders-db");
    }

    @Test
    void theSdkRefusesWhatWeRefuse() {
        Headers headers = new RecordHeaders();
        headers.add("ce_specversion", "0.2".getBytes(UTF_8));
        headers.add("ce_id", "x".getBytes(UTF_8));

        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> KafkaMessageFactory.createReader(headers, "{}".getBytes(UTF_8))
                                .toEvent())
                .isInstanceOf(CloudEventRWException.class);
    }

    private static Optional<EventType<?>> schemaOf(URI dataschema) {
        return EventType.all().stream()
                .filter(type -> type.dataschema().equals(dataschema))
                .findFirst();
    }

    private static ConsumerRecord<String, byte[]> consumed(ProducerRecord<String, byte[]> produced) {
        ConsumerRecord<String, byte[]> record =
                new ConsumerRecord<>(produced.topic(), 0, 0L, produced.key(), produced.value());
        produced.headers().forEach(header -> record.headers().add(header));
        return record;
    }
}
