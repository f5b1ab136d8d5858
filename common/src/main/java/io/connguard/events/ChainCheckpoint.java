package io.connguard.events;

import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Data of {@code io.connguard.audit.checkpoint.v1}: the head of one target's hash chain in the audit database, published
 * by the audit service to {@link Topics#AUDIT_CHECKPOINTS}, outside that database. The audit's chain verification checks
 * the stored chain against the latest checkpoint of the target: a chain that ends before the checkpoint's position (its
 * newest rows deleted) or holds another hash there (rewritten) fails, which the chain alone cannot show.
 *
 * @param targetId target whose chain this is; equals the event subject and the Kafka key
 * @param chainPosition position of the chain's last row when the checkpoint was taken (1, 2, 3, ...)
 * @param chainHash that row's {@code chain_hash}: sha256, 64 lowercase hexadecimal digits
 * @param eventId CloudEvent id of that row's event
 * @param storedAt when that row was stored
 */
public record ChainCheckpoint(String targetId, long chainPosition, String chainHash, String eventId, Instant storedAt)
        implements EventPayload {

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    public ChainCheckpoint {
        if (targetId == null || targetId.isBlank()) {
            throw new IllegalArgumentException("targetId must not be blank");
        }
        if (chainPosition < 1) {
            throw new IllegalArgumentException("chainPosition must be at least 1: " + chainPosition);
        }
        if (chainHash == null || !SHA256_HEX.matcher(chainHash).matches()) {
            throw new IllegalArgumentException("chainHash must be 64 lowercase hex digits: " + chainHash);
        }
        if (eventId == null || eventId.isBlank()) {
            throw new IllegalArgumentException("eventId must not be blank");
        }
        Objects.requireNonNull(storedAt, "storedAt must not be null");
    }
}
