package io.connguard.audit.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.connguard.events.CloudEvent;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** A readable event about to be stored, with the record it came from (kept to quarantine it if the store refuses). */
public record IncomingEvent(CloudEvent<JsonNode> event, ConsumerRecord<String, byte[]> record) {

    public KafkaPosition position() {
        return KafkaPosition.of(record);
    }

    /** {@code data.incidentId}, or null. */
    public String incidentId() {
        JsonNode incident = event.data().get("incidentId");
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
