package io.connguard.events;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * The CloudEvents 1.0 envelope of a connguard event ({@code specversion} is always {@code 1.0} and
 * {@code datacontenttype} always {@code application/json}, so neither is a field).
 *
 * <p>What a consumer may rely on:
 *
 * <ul>
 *   <li>{@code id} is unique per event; a redelivered record carries the same id, so it is the
 *       idempotency key for anything a consumer stores or does.
 *   <li>{@code subject} is the target id; it equals the Kafka record key and, for connguard payloads,
 *       {@link EventPayload#targetId()}.
 *   <li>{@code time} is when the producer created the event (UTC, RFC 3339 on the wire); the moment the
 *       database was sampled or the action ran is in the payload.
 *   <li>{@code source} identifies the producing service instance; treat it as opaque.
 * </ul>
 *
 * @param id unique event id ({@code ce_id})
 * @param source producer ({@code ce_source}), a URI reference
 * @param type versioned type ({@code ce_type}), see {@link EventType}
 * @param subject target id ({@code ce_subject}) and Kafka key
 * @param time creation time ({@code ce_time})
 * @param data the payload; never null
 */
public record CloudEvent<T>(String id, URI source, String type, String subject, Instant time, T data) {

    public CloudEvent {
        requireNonBlank(id, "id");
        Objects.requireNonNull(source, "source must not be null");
        if (source.toString().isEmpty()) {
            throw new IllegalArgumentException("source must not be empty");
        }
        requireNonBlank(type, "type");
        requireNonBlank(subject, "subject");
        Objects.requireNonNull(time, "time must not be null");
        Objects.requireNonNull(data, "data must not be null");
        if (data instanceof EventPayload payload && !subject.equals(payload.targetId())) {
            throw new IllegalArgumentException(
                    "subject '" + subject + "' must equal data.targetId '" + payload.targetId() + "'");
        }
    }

    /** A new event with a random UUID id, created now. */
    public static <T> CloudEvent<T> create(URI source, EventType<T> type, String subject, T data) {
        return create(source, type, subject, data, Clock.systemUTC());
    }

    /** A new event with a random UUID id and {@code time} read from {@code clock}. */
    public static <T> CloudEvent<T> create(URI source, EventType<T> type, String subject, T data, Clock clock) {
        Objects.requireNonNull(type, "type must not be null");
        Objects.requireNonNull(clock, "clock must not be null");
        return new CloudEvent<>(
                UUID.randomUUID().toString(),
                source,
                type.type(),
                subject,
                Instant.now(clock),
                type.dataClass().cast(data));
    }

    private static void requireNonBlank(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }
}
