package io.connguard.audit.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.connguard.events.ActionEvent;
import io.connguard.events.CloudEvent;
import io.connguard.events.PressureChanged;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A readable event about to be stored, with the record it came from (kept to quarantine it if the store refuses). Its
 * data is the contract's record for a known type, a JSON tree for any other.
 */
public record IncomingEvent(CloudEvent<?> event, ConsumerRecord<String, byte[]> record) {

    public KafkaPosition position() {
        return KafkaPosition.of(record);
    }

    /** {@code data.incidentId}, or null. */
    public String incidentId() {
        Object data = event.data();
        if (data instanceof PressureChanged pressure) {
            return pressure.incidentId();
        }
        if (data instanceof ActionEvent action) {
            return action.incidentId();
        }
        JsonNode incident = data instanceof JsonNode tree ? tree.get("incidentId") : null;
        return incident == null || !incident.isTextual() ? null : incident.asText();
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
}
