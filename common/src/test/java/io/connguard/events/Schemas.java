package io.connguard.events;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** The shipped JSON Schemas, loaded from the classpath location each {@link EventType} names. */
final class Schemas {

    // format assertions on: date-time strings must really be RFC 3339
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaRegistryConfig(
                    SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));

    private Schemas() {}

    static Schema of(EventType<?> type) {
        try (InputStream in = EventType.class.getResourceAsStream(type.schemaResource())) {
            if (in == null) {
                throw new IllegalStateException("schema not on the classpath: " + type.schemaResource());
            }
            return REGISTRY.getSchema(in, InputFormat.JSON);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Validation messages; empty when {@code json} is valid. */
    static List<String> errors(EventType<?> type, String json) {
        return of(type).validate(json, InputFormat.JSON).stream()
                .map(Object::toString)
                .toList();
    }
}
