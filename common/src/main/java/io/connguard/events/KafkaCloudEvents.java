package io.connguard.events;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * CloudEvents 1.0 Kafka protocol binding, binary content mode, for connguard events.
 *
 * <p>On the wire: header {@value #SPECVERSION_HEADER} = {@value #SPECVERSION}, {@value #ID_HEADER},
 * {@value #SOURCE_HEADER}, {@value #TYPE_HEADER}, {@value #SUBJECT_HEADER}, {@value #TIME_HEADER} (RFC 3339,
 * UTC), {@value #DATASCHEMA_HEADER} (the {@code $id} of the type's JSON Schema, for the types connguard defines)
 * and {@value #CONTENT_TYPE_HEADER} = {@value #CONTENT_TYPE}, all UTF-8; the record value is the
 * {@code data} as JSON ({@link EventJson}); the record key is the subject (the target id), UTF-8.
 *
 * <p>Decoding is strict about the envelope (every header above except {@code content-type} is required,
 * the spec version must be {@code 1.0}) and lenient about the payload (unknown fields are ignored). Every
 * rejection is a {@link MalformedEventException} whose message names the problem, ready to be used as
 * the {@value #DEAD_LETTER_REASON} header.
 */
public final class KafkaCloudEvents {

    /** Value of {@value #CONTENT_TYPE_HEADER}: the record value is JSON. */
    public static final String CONTENT_TYPE = "application/json";

    /** The only CloudEvents spec version produced and accepted. */
    public static final String SPECVERSION = "1.0";

    public static final String SPECVERSION_HEADER = "ce_specversion";
    public static final String ID_HEADER = "ce_id";
    public static final String SOURCE_HEADER = "ce_source";
    public static final String TYPE_HEADER = "ce_type";
    public static final String SUBJECT_HEADER = "ce_subject";
    public static final String TIME_HEADER = "ce_time";
    public static final String DATASCHEMA_HEADER = "ce_dataschema";
    public static final String CONTENT_TYPE_HEADER = "content-type";

    /** Header on a dead-lettered record: why it could not be read (a {@link MalformedEventException} message). */
    public static final String DEAD_LETTER_REASON = "dead-letter-reason";
    /** Header on a dead-lettered record: the topic it was read from. */
    public static final String DEAD_LETTER_TOPIC = "dead-letter-topic";
    /** Header on a dead-lettered record: the partition it was read from (decimal). */
    public static final String DEAD_LETTER_PARTITION = "dead-letter-partition";
    /** Header on a dead-lettered record: the offset it was read from (decimal). */
    public static final String DEAD_LETTER_OFFSET = "dead-letter-offset";

    private static final ObjectMapper MAPPER = EventJson.mapper();

    private KafkaCloudEvents() {}

    /**
     * The envelope as record headers: the six required {@code ce_*} headers, {@code ce_dataschema} for a type of the
     * contract, and {@code content-type}.
     */
    public static Headers headers(CloudEvent<?> event) {
        Objects.requireNonNull(event, "event");
        RecordHeaders headers = new RecordHeaders();
        put(headers, SPECVERSION_HEADER, SPECVERSION);
        put(headers, ID_HEADER, event.id());
        put(headers, SOURCE_HEADER, event.source().toString());
        put(headers, TYPE_HEADER, event.type());
        put(headers, SUBJECT_HEADER, event.subject());
        put(headers, TIME_HEADER, DateTimeFormatter.ISO_INSTANT.format(event.time()));
        EventType.of(event.type())
                .ifPresent(type ->
                        put(headers, DATASCHEMA_HEADER, type.dataschema().toString()));
        put(headers, CONTENT_TYPE_HEADER, CONTENT_TYPE);
        return headers;
    }

    /** The record value: {@code data} as UTF-8 JSON. */
    public static byte[] data(CloudEvent<?> event) {
        Objects.requireNonNull(event, "event");
        try {
            return MAPPER.writeValueAsBytes(event.data());
        } catch (JacksonException e) {
            throw new IllegalArgumentException("cannot write data of " + event.type() + " as JSON", e);
        }
    }

    /** A record for {@code topic} with the subject as key, {@link #data} as value and {@link #headers}. */
    public static ProducerRecord<String, byte[]> toRecord(String topic, CloudEvent<?> event) {
        return new ProducerRecord<>(topic, null, event.subject(), data(event), headers(event));
    }

    /**
     * Reads an event of the {@code expected} type.
     *
     * @throws MalformedEventException if the envelope is incomplete or of another spec version, the type
     *     is not {@code expected.type()}, or the value is not JSON that maps to {@code expected.dataClass()}
     */
    public static <T> CloudEvent<T> decode(Headers headers, byte[] value, EventType<T> expected)
            throws MalformedEventException {
        Objects.requireNonNull(expected, "expected");
        Envelope envelope = envelope(headers);
        if (!expected.type().equals(envelope.type)) {
            throw new MalformedEventException(
                    "unexpected ce_type '" + envelope.type + "', expected '" + expected.type() + "'");
        }
        requireValue(value, envelope.type);
        T data;
        try {
            data = MAPPER.readValue(value, expected.dataClass());
        } catch (StreamReadException e) {
            throw new MalformedEventException("invalid JSON data for " + envelope.type + ": " + describe(e), e);
        } catch (IOException e) {
            throw new MalformedEventException("invalid data for " + envelope.type + ": " + describe(e), e);
        }
        if (data == null) {
            throw new MalformedEventException("invalid data for " + envelope.type + ": JSON null");
        }
        return envelope.with(data);
    }

    /**
     * Reads an event of any type, including types this version of the contract does not know, with
     * {@code data} as a JSON tree. The envelope is checked as strictly as by {@link #decode}.
     */
    public static CloudEvent<JsonNode> decodeAny(Headers headers, byte[] value) throws MalformedEventException {
        Envelope envelope = envelope(headers);
        requireValue(value, envelope.type);
        JsonNode data;
        try {
            data = MAPPER.readTree(value);
        } catch (IOException e) {
            throw new MalformedEventException("invalid JSON data for " + envelope.type + ": " + describe(e), e);
        }
        if (data == null || data.isMissingNode() || data.isNull()) {
            throw new MalformedEventException("invalid data for " + envelope.type + ": JSON null");
        }
        return envelope.with(data);
    }

    /**
     * The record to send to {@link Topics#deadLetterOf(String) the dead-letter topic} for a record that
     * could not be read: same key, value and headers, plus {@value #DEAD_LETTER_REASON},
     * {@value #DEAD_LETTER_TOPIC}, {@value #DEAD_LETTER_PARTITION} and {@value #DEAD_LETTER_OFFSET}.
     */
    public static <K> ProducerRecord<K, byte[]> deadLetter(ConsumerRecord<K, byte[]> record, String reason) {
        Objects.requireNonNull(record, "record");
        RecordHeaders headers = new RecordHeaders();
        for (Header header : record.headers()) {
            if (!header.key().startsWith("dead-letter-")) {
                headers.add(header);
            }
        }
        put(headers, DEAD_LETTER_REASON, reason == null || reason.isBlank() ? "unknown" : reason);
        put(headers, DEAD_LETTER_TOPIC, record.topic());
        put(headers, DEAD_LETTER_PARTITION, Integer.toString(record.partition()));
        put(headers, DEAD_LETTER_OFFSET, Long.toString(record.offset()));
        return new ProducerRecord<>(Topics.deadLetterOf(record.topic()), null, record.key(), record.value(), headers);
    }

    private static Envelope envelope(Headers headers) {
        if (headers == null) {
            throw new MalformedEventException("missing header " + SPECVERSION_HEADER);
        }
        String specversion = required(headers, SPECVERSION_HEADER);
        if (!SPECVERSION.equals(specversion)) {
            throw new MalformedEventException(
                    "unsupported " + SPECVERSION_HEADER + " '" + specversion + "', expected '" + SPECVERSION + "'");
        }
        String id = required(headers, ID_HEADER);
        String source = required(headers, SOURCE_HEADER);
        String type = required(headers, TYPE_HEADER);
        String subject = required(headers, SUBJECT_HEADER);
        String time = required(headers, TIME_HEADER);
        String contentType = optional(headers, CONTENT_TYPE_HEADER);
        if (contentType != null && !isJson(contentType)) {
            throw new MalformedEventException(
                    "unsupported " + CONTENT_TYPE_HEADER + " '" + contentType + "', expected '" + CONTENT_TYPE + "'");
        }
        return new Envelope(id, parseSource(source), type, subject, parseTime(time));
    }

    private static boolean isJson(String contentType) {
        int parameters = contentType.indexOf(';');
        String mediaType = (parameters < 0 ? contentType : contentType.substring(0, parameters)).trim();
        return mediaType.toLowerCase(Locale.ROOT).equals(CONTENT_TYPE);
    }

    private static URI parseSource(String source) {
        try {
            return new URI(source);
        } catch (URISyntaxException e) {
            throw new MalformedEventException(
                    "invalid header " + SOURCE_HEADER + " '" + source + "': not a URI reference", e);
        }
    }

    private static Instant parseTime(String time) {
        try {
            return OffsetDateTime.parse(time, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                    .toInstant();
        } catch (DateTimeParseException e) {
            throw new MalformedEventException(
                    "invalid header " + TIME_HEADER + " '" + time + "': not an RFC 3339 timestamp", e);
        }
    }

    private static void requireValue(byte[] value, String type) {
        if (value == null || value.length == 0) {
            throw new MalformedEventException("missing data for " + type + ": the record value is empty");
        }
    }

    private static String required(Headers headers, String name) {
        String value = optional(headers, name);
        if (value == null) {
            throw new MalformedEventException("missing header " + name);
        }
        if (value.isBlank()) {
            throw new MalformedEventException("empty header " + name);
        }
        return value;
    }

    // the last header wins, as everywhere in Kafka
    private static String optional(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static void put(Headers headers, String name, String value) {
        headers.remove(name);
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    // Jackson messages end with a source excerpt and location; keep the first line, it says what is wrong
    private static String describe(IOException e) {
        String message = e instanceof JacksonException je ? je.getOriginalMessage() : e.getMessage();
        if (message == null) {
            return e.getClass().getSimpleName();
        }
        int newline = message.indexOf('\n');
        String firstLine = newline < 0 ? message : message.substring(0, newline);
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            return firstLine + " (at " + jsonPath(mapping) + ")";
        }
        return firstLine;
    }

    private static String jsonPath(JsonMappingException e) {
        StringBuilder path = new StringBuilder("$");
        for (JsonMappingException.Reference reference : e.getPath()) {
            if (reference.getFieldName() != null) {
                path.append('.').append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private record Envelope(String id, URI source, String type, String subject, Instant time) {

        <T> CloudEvent<T> with(T data) {
            try {
                return new CloudEvent<>(id, source, type, subject, time, data);
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new MalformedEventException("invalid event " + id + ": " + e.getMessage(), e);
            }
        }
    }
}
