package io.connguard.events;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The golden fixtures are the contract by example: records, JSON and schemas must all agree with them. */
class GoldenFixturesTest {

    static Stream<Arguments> fixtures() {
        return EventType.all().stream()
                .flatMap(type -> Golden.fixturesOf(type).stream().map(name -> Arguments.of(type, name)));
    }

    static Stream<EventType<?>> types() {
        return EventType.all().stream();
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("fixtures")
    void fixtureRoundTripsThroughItsRecordUnchanged(EventType<?> type, String name) throws IOException {
        Object data = EventJson.mapper().readValue(Golden.bytes(name), type.dataClass());

        JsonNode written = EventJson.mapper().readTree(EventJson.mapper().writeValueAsBytes(data));

        Golden.assertSameJson(written, Golden.tree(name), name + " after record round trip");
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("fixtures")
    void fixtureValidatesAgainstTheSchemaOfItsType(EventType<?> type, String name) {
        assertThat(Schemas.errors(type, new String(Golden.bytes(name), UTF_8)))
                .as("schema errors of %s", name)
                .isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void everyTypeHasGoldenFixturesAndAShippedSchema(EventType<?> type) throws IOException {
        assertThat(Golden.fixturesOf(type)).isNotEmpty();
        try (InputStream schema = EventType.class.getResourceAsStream(type.schemaResource())) {
            JsonNode root = EventJson.mapper().readTree(schema);
            assertThat(root.path("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
            assertThat(root.path("title").asText()).isEqualTo(type.type());
            assertThat(root.path("$id").asText())
                    .as("the dataschema every event of the type carries")
                    .isEqualTo(type.dataschema().toString());
            assertThat(root.has("additionalProperties"))
                    .as("additive evolution: unknown properties stay allowed")
                    .isFalse();
        }
    }

    /** Keeps record and schema from drifting apart: same property names at every level, both ways. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void schemaDescribesExactlyTheRecordComponents(EventType<?> type) throws IOException {
        try (InputStream in = EventType.class.getResourceAsStream(type.schemaResource())) {
            JsonNode root = EventJson.mapper().readTree(in);
            List<String> problems = new ArrayList<>();
            compare(root, root, type.dataClass(), "$", problems);
            assertThat(problems).isEmpty();
        }
    }

    @Test
    void schemaRejectsAPayloadWithoutARequiredField() {
        ObjectNode critical = (ObjectNode) Golden.tree("pressure-changed-v1.critical.json");
        critical.remove("targetId");

        assertThat(Schemas.errors(EventType.PRESSURE_CHANGED, critical.toString()))
                .anySatisfy(error -> assertThat(error).contains("targetId"));
    }

    @Test
    void schemaRejectsAnUnknownLevelWithoutErrorAndAKnownLevelWithoutMeasurements() {
        ObjectNode unknown = (ObjectNode) Golden.tree("pressure-changed-v1.unknown.json");
        unknown.remove("error");
        ObjectNode critical = (ObjectNode) Golden.tree("pressure-changed-v1.critical.json");
        critical.remove("capacity");

        assertThat(Schemas.errors(EventType.PRESSURE_CHANGED, unknown.toString()))
                .anySatisfy(error -> assertThat(error).contains("error"));
        assertThat(Schemas.errors(EventType.PRESSURE_CHANGED, critical.toString()))
                .anySatisfy(error -> assertThat(error).contains("capacity"));
    }

    @Test
    void schemaRejectsANonRfc3339TimestampAndAnUnknownOutcome() {
        ObjectNode pressure = (ObjectNode) Golden.tree("pressure-changed-v1.critical.json");
        pressure.put("sampledAt", "14/03/2026 09:26");
        ObjectNode action = (ObjectNode) Golden.tree("action-v1.succeeded.json");
        action.put("outcome", "MAYBE");

        assertThat(Schemas.errors(EventType.PRESSURE_CHANGED, pressure.toString()))
                .anySatisfy(error -> assertThat(error).contains("sampledAt"));
        assertThat(Schemas.errors(EventType.ACTION, action.toString()))
                .anySatisfy(error -> assertThat(error).contains("outcome"));
    }

    @Test
    void schemaRejectsASkippedActionWithoutReason() {
        ObjectNode skipped = (ObjectNode) Golden.tree("action-v1.skipped.json");
        skipped.remove("reason");

        assertThat(Schemas.errors(EventType.ACTION, skipped.toString()))
                .anySatisfy(error -> assertThat(error).contains("reason"));
    }

    @Test
    void schemaAcceptsUnknownProperties() {
        ObjectNode critical = (ObjectNode) Golden.tree("pressure-changed-v1.critical.json");
        critical.put("addedInAFutureMinorVersion", true);
        ((ObjectNode) critical.get("capacity")).put("maxPreparedTransactions", 0);

        assertThat(Schemas.errors(EventType.PRESSURE_CHANGED, critical.toString()))
                .isEmpty();
    }

    @Test
    void helperBuiltPayloadsValidate() throws IOException {
        Instant at = Instant.parse("2026-03-14T09:26:53.589Z");
        PressureChanged elevated = PressureChanged.minimal(
                "orders-db",
                "inc-1",
                Level.ELEVATED,
                Level.OK,
                "ratio_above_elevated",
                at,
                Capacity.of(103, 3, 0),
                new Connections(85, 20, 60, 5, 0, 0, 0, 6, 0));
        PressureChanged unknown = PressureChanged.unknown("orders-db", "inc-1", Level.ELEVATED, at, "timeout");

        assertThat(elevated.ratio()).isEqualTo(0.85);
        assertThat(elevated.levelChanged()).isTrue();
        assertThat(unknown.levelChanged()).isTrue();
        for (PressureChanged payload : List.of(elevated, unknown)) {
            String json = EventJson.mapper().writeValueAsString(payload);
            assertThat(Schemas.errors(EventType.PRESSURE_CHANGED, json))
                    .as(json)
                    .isEmpty();
        }
    }

    private static void compare(JsonNode root, JsonNode schema, Class<?> type, String path, List<String> problems) {
        JsonNode properties = schema.path("properties");
        List<String> schemaNames = new ArrayList<>();
        properties.fieldNames().forEachRemaining(schemaNames::add);
        List<String> componentNames = Arrays.stream(type.getRecordComponents())
                .map(RecordComponent::getName)
                .toList();
        for (String name : componentNames) {
            if (!schemaNames.contains(name)) {
                problems.add(path + "." + name + " is in " + type.getSimpleName() + " but not in the schema");
            }
        }
        for (String name : schemaNames) {
            if (!componentNames.contains(name)) {
                problems.add(path + "." + name + " is in the schema but not in " + type.getSimpleName());
            }
        }
        for (RecordComponent component : type.getRecordComponents()) {
            JsonNode property = properties.path(component.getName());
            if (component.getType().isRecord()) {
                compare(root, resolve(root, property), component.getType(), path + "." + component.getName(), problems);
            } else if (component.getType() == List.class
                    && component.getGenericType() instanceof ParameterizedType list
                    && list.getActualTypeArguments()[0] instanceof Class<?> element
                    && element.isRecord()) {
                compare(
                        root,
                        resolve(root, property.path("items")),
                        element,
                        path + "." + component.getName() + "[]",
                        problems);
            }
        }
    }

    // follows "$ref": "#/$defs/X", directly or inside a nullable "oneOf"
    private static JsonNode resolve(JsonNode root, JsonNode property) {
        if (property.has("$ref")) {
            return root.at(property.get("$ref").asText().substring(1));
        }
        for (JsonNode alternative : property.path("oneOf")) {
            if (alternative.has("$ref")) {
                return resolve(root, alternative);
            }
        }
        return property;
    }
}
