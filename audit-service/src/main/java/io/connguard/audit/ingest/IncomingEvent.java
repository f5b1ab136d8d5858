package io.connguard.audit.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.connguard.events.CloudEvent;

/** A readable event about to be stored, with the record it came from (kept to quarantine it if the store refuses). */
public record IncomingEvent(CloudEvent<JsonNode> event, KafkaPosition position, RawRecord raw) {

    /** {@code data.incidentId}, or null. */
    public String incidentId() {
        JsonNode incident = event.data().get("incidentId");
        return incident == null || !incident.isTextual() ? null : incident.asText();
    }
}
