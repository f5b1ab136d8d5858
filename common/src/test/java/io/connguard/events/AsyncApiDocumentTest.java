package io.connguard.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The AsyncAPI document other teams generate clients and docs from: valid AsyncAPI 3.0, and saying what the code does
 * (every type, topic, schema and dataschema of the contract, nothing else).
 */
class AsyncApiDocumentTest {

    static final String DOCUMENT = "/io/connguard/events/schemas/asyncapi.yaml";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void isAValidAsyncApi3Document() throws IOException {
        Schema asyncApi;
        try (InputStream in = getClass().getResourceAsStream("/asyncapi/asyncapi-3.0.0.schema.json")) {
            asyncApi = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7)
                    .getSchema(in, InputFormat.JSON);
        }

        assertThat(asyncApi.validate(document().toString(), InputFormat.JSON))
                .as("AsyncAPI 3.0.0 validation errors")
                .isEmpty();
    }

    @Test
    void theValidatorWouldCatchAMistake() throws IOException {
        Schema asyncApi;
        try (InputStream in = getClass().getResourceAsStream("/asyncapi/asyncapi-3.0.0.schema.json")) {
            asyncApi = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7)
                    .getSchema(in, InputFormat.JSON);
        }
        ObjectNode broken = (ObjectNode) document();
        ((ObjectNode) broken.path("operations").path("publishPressure")).put("action", "publish");

        assertThat(asyncApi.validate(broken.toString(), InputFormat.JSON)).isNotEmpty();
    }

    @Test
    void describesEveryTypeOfTheContractOnItsTopicWithItsSchema() throws IOException {
        JsonNode document = document();
        List<String> described = new ArrayList<>();
        for (JsonNode message : document.path("components").path("messages")) {
            described.add(message.path("name").asText());
        }
        assertThat(described)
                .containsAll(EventType.all().stream().map(EventType::type).toList());

        for (EventType<?> type : EventType.all()) {
            JsonNode message = messageNamed(document, type.type());
            assertThat(message.path("payload").path("$ref").asText())
                    .as("payload of %s", type.type())
                    .isEqualTo(type.schemaFileName());
            assertThat(EventType.class.getResource("/io/connguard/events/schemas/" + type.schemaFileName()))
                    .as("the payload reference resolves next to the document")
                    .isNotNull();
            JsonNode typed = message.path("headers").path("allOf").get(1).path("properties");
            assertThat(typed.path("ce_type").path("const").asText()).isEqualTo(type.type());
            assertThat(typed.path("ce_dataschema").path("const").asText())
                    .isEqualTo(type.dataschema().toString());
            assertThat(channelAddressCarrying(document, message)).isEqualTo(Topics.forType(type));
        }
    }

    private static JsonNode messageNamed(JsonNode document, String name) {
        for (JsonNode message : document.path("components").path("messages")) {
            if (message.path("name").asText().equals(name)) {
                return message;
            }
        }
        throw new AssertionError("no message named " + name);
    }

    private static String channelAddressCarrying(JsonNode document, JsonNode message) {
        for (JsonNode channel : document.path("channels")) {
            for (JsonNode reference : channel.path("messages")) {
                String ref = reference.path("$ref").asText();
                JsonNode referenced =
                        document.path("components").path("messages").path(ref.substring(ref.lastIndexOf('/') + 1));
                if (referenced == message) {
                    return channel.path("address").asText();
                }
            }
        }
        throw new AssertionError("no channel carries " + message.path("name").asText());
    }

    static JsonNode document() throws IOException {
        try (InputStream in = EventType.class.getResourceAsStream(DOCUMENT)) {
            return YAML.readTree(in);
        }
    }
}
