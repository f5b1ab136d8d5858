package io.connguard.audit.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A record kept in quarantine, as it arrived.
 *
 * @param headers {@code [{"key": ..., "value": ...}]}, with {@code base64} instead of {@code value} for binary values
 * @param valueBase64 the record value, base64
 */
public record QuarantinedRecord(
        long id,
        String kafkaTopic,
        int kafkaPartition,
        long kafkaOffset,
        String key,
        JsonNode headers,
        String valueBase64,
        String reason,
        Instant quarantinedAt) {}
