package io.connguard.events;

import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A typed event type: the versioned CloudEvents {@code type}, the class its {@code data} maps to and the
 * classpath location of the JSON Schema (draft 2020-12) that {@code data} conforms to.
 *
 * <p>The {@code type} string is the discriminator on the wire and ends in a major version
 * ({@code .v1}). Within a version, the payload only gains optional fields; anything else is published
 * under a new type, possibly side by side with the old one for a migration period.
 *
 * @param type CloudEvents {@code type} ({@code ce_type} header)
 * @param dataClass the payload record {@code data} is read into
 * @param schemaResource absolute classpath resource of the payload's JSON Schema, shipped in this jar
 */
public record EventType<T>(String type, Class<T> dataClass, String schemaResource) {

    /** Where the shipped schemas are published: each schema's {@code $id} is this plus its file name. */
    public static final String SCHEMA_BASE = "https://connguard.io/schemas/events/";

    /** A target's pressure level changed, or a periodic update while it is not OK. */
    public static final EventType<PressureChanged> PRESSURE_CHANGED = new EventType<>(
            "io.connguard.pressure.changed.v1",
            PressureChanged.class,
            "/io/connguard/events/schemas/pressure-changed-v1.schema.json");

    /** A mitigator decision or action, at any point of its life. */
    public static final EventType<ActionEvent> ACTION = new EventType<>(
            "io.connguard.action.v1", ActionEvent.class, "/io/connguard/events/schemas/action-v1.schema.json");

    /** The head of a target's hash chain in the audit database, anchored outside it. */
    public static final EventType<ChainCheckpoint> CHAIN_CHECKPOINT = new EventType<>(
            "io.connguard.audit.checkpoint.v1",
            ChainCheckpoint.class,
            "/io/connguard/events/schemas/audit-checkpoint-v1.schema.json");

    private static final List<EventType<?>> ALL = List.of(PRESSURE_CHANGED, ACTION, CHAIN_CHECKPOINT);

    public EventType {
        if (type == null || type.isBlank()) {
            throw new IllegalArgumentException("type must not be blank");
        }
        Objects.requireNonNull(dataClass, "dataClass");
        if (schemaResource == null || !schemaResource.startsWith("/")) {
            throw new IllegalArgumentException("schemaResource must be an absolute classpath path: " + schemaResource);
        }
    }

    /**
     * The CloudEvents {@code dataschema} of this type: its schema's {@code $id}, the base URI plus the schema's file
     * name (the audit service serves the same file under {@code /schemas/events/}).
     */
    public URI dataschema() {
        return URI.create(SCHEMA_BASE + schemaFileName());
    }

    /** The schema's file name, e.g. {@code action-v1.schema.json}. */
    public String schemaFileName() {
        return schemaResource.substring(schemaResource.lastIndexOf('/') + 1);
    }

    /** Every type connguard publishes, in a stable order. */
    public static List<EventType<?>> all() {
        return ALL;
    }

    /** The known type with this CloudEvents {@code type} string; empty for anything else (including null). */
    public static Optional<EventType<?>> of(String type) {
        return ALL.stream().filter(t -> t.type.equals(type)).findFirst();
    }
}
