package io.connguard.audit.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One stored CloudEvent with where it came from and its link in its subject's hash chain; the API's representation
 * of the record.
 */
public record StoredEvent(
        long seq,
        String id,
        String source,
        String type,
        String subject,
        Instant time,
        String incidentId,
        JsonNode data,
        String kafkaTopic,
        int kafkaPartition,
        long kafkaOffset,
        Instant storedAt,
        long chainPosition,
        String chainHash) {}
