package io.connguard.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Access to the golden fixtures in {@code src/test/resources/golden}: {@code <schema name>.<variant>.json}. */
final class Golden {

    // numbers compare by value: 2 and 2.0 are the same number on the wire
    private static final Comparator<JsonNode> SAME_JSON = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    };

    private Golden() {}

    static byte[] bytes(String name) {
        try (InputStream in = Golden.class.getResourceAsStream("/golden/" + name)) {
            assertThat(in).as("golden fixture %s", name).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode tree(String name) {
        try {
            return EventJson.mapper().readTree(bytes(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Fixture file names of one event type, e.g. {@code pressure-changed-v1.critical.json}. */
    static List<String> fixturesOf(EventType<?> type) {
        String prefix = schemaName(type) + ".";
        try (Stream<Path> files = Files.list(directory())) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(prefix) && n.endsWith(".json"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code pressure-changed-v1} for {@code /io/connguard/events/schemas/pressure-changed-v1.schema.json}. */
    static String schemaName(EventType<?> type) {
        String resource = type.schemaResource();
        return resource.substring(resource.lastIndexOf('/') + 1).replace(".schema.json", "");
    }

    static void assertSameJson(JsonNode actual, JsonNode expected, String description) {
        if (!actual.equals(SAME_JSON, expected)) {
            assertThat(actual.toPrettyString()).as(description).isEqualTo(expected.toPrettyString());
        }
    }

    private static Path directory() {
        try {
            return Path.of(Golden.class.getResource("/golden").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
