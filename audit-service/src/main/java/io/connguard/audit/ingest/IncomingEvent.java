package io.connguard.audit.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.connguard.events.ActionEvent;
import io.connguard.events.CloudEvent;
import io.connguard.events.EventJson;
import io.connguard.events.PressureChanged;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A readable event about to be stored, with the record it came from (kept to quarantine it if the store refuses). Its
 * data is the contract's record for a known type, a JSON tree for any other; {@code incidentId} is
 * {@code data.incidentId} when that is a JSON string, else null.
 */
public record IncomingEvent(CloudEvent<?> event, String incidentId, ConsumerRecord<String, byte[]> record) {

    private static final JsonFactory JSON = EventJson.mapper().getFactory();

    /** The event with its incident id, worked out here: on the thread that decodes, not on the writer's. */
    public static IncomingEvent of(CloudEvent<?> event, ConsumerRecord<String, byte[]> record) {
        return new IncomingEvent(event, incidentId(event.data(), record.value()), record);
    }

    public KafkaPosition position() {
        return KafkaPosition.of(record);
    }

    /**
     * The payload as it arrived: JSON that decoding accepted, stored as is (the database normalises it into jsonb),
     * which saves writing it out again.
     */
    public String json() {
        return new String(record.value(), StandardCharsets.UTF_8);
    }

    /** The record as it arrived, for the quarantine; built only when needed. */
    public RawRecord raw() {
        return RawRecord.of(record);
    }

    // Only a JSON string is an incident id, whatever the type. The contract's records cannot tell: their mapper reads
    // any scalar into a String field (42 becomes "42"), so for them the payload's tokens are asked what it was.
    private static String incidentId(Object data, byte[] json) {
        if (data instanceof JsonNode tree) {
            JsonNode incident = tree.get("incidentId");
            return incident == null || !incident.isTextual() ? null : incident.asText();
        }
        String typed = data instanceof PressureChanged pressure
                ? pressure.incidentId()
                : data instanceof ActionEvent action ? action.incidentId() : null;
        return typed != null && lastTopLevelFieldIsString(json, "incidentId") ? typed : null;
    }

    // whether the last top-level field of that name (the mapper keeps the last of duplicate fields) is a JSON string:
    // a pass over the tokens that skips nested values and builds nothing
    private static boolean lastTopLevelFieldIsString(byte[] json, String field) {
        try (JsonParser parser = JSON.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            boolean string = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                boolean match = field.equals(parser.currentName());
                JsonToken value = parser.nextToken();
                if (match) {
                    string = value == JsonToken.VALUE_STRING;
                }
                parser.skipChildren();
            }
            return string;
        } catch (IOException e) {
            // not reached: decoding has read this payload already
            return false;
        }
    }
}
