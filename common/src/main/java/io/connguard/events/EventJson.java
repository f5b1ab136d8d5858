package io.connguard.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The one JSON mapping of the contract, used for every payload on the wire.
 *
 * <ul>
 *   <li>{@link java.time.Instant} fields are ISO-8601 / RFC 3339 UTC strings
 *       ({@code 2026-03-01T12:00:00.250Z}); offsets are accepted on read.
 *   <li>Null fields are omitted; lists are always written, possibly empty.
 *   <li>Enums are written and read by name.
 *   <li>Unknown properties are ignored on read, so newer producers never break older readers.
 *   <li>Trailing content after the JSON value is an error.
 * </ul>
 */
public final class EventJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_ENUMS_USING_TO_STRING)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.READ_ENUMS_USING_TO_STRING)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .defaultPropertyInclusion(
                    JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.USE_DEFAULTS))
            .build();

    private EventJson() {}

    /**
     * The contract's mapper. It is shared and thread-safe for reading and writing; do not reconfigure
     * it (that would change the wire format for every user in the JVM). Call {@code mapper().copy()} to
     * derive a mapper with extra settings.
     */
    public static ObjectMapper mapper() {
        return MAPPER;
    }
}
