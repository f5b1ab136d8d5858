package io.connguard.audit.chain;

import io.connguard.events.ChainCheckpoint;
import io.connguard.events.CloudEvent;
import java.time.Instant;

/**
 * The result of recomputing a subject's hash chain and comparing it with the latest checkpoint published for it.
 *
 * @param subject the target
 * @param rows rows checked
 * @param valid every row's hash matches its recomputation, no position is missing, and the chain still holds the
 *     latest checkpoint's row with the checkpoint's hash
 * @param headPosition position of the last row (0 when every row is gone)
 * @param headHash hash of the last row (hex)
 * @param firstMismatch the first problem, in chain order; null when valid
 * @param checkpoint the latest checkpoint of the subject (topic {@code connguard.audit.checkpoints}) the chain was
 *     compared with; null when none was published yet or the topic could not be read
 * @param checkpointError why the checkpoints could not be read; the chain alone was verified then
 */
public record ChainVerification(
        String subject,
        long rows,
        boolean valid,
        long headPosition,
        String headHash,
        Mismatch firstMismatch,
        Anchor checkpoint,
        String checkpointError) {

    /**
     * A row whose stored hash differs from the one recomputed from its content and its predecessor's hash, a row that
     * follows missing positions, or missing or rewritten rows that a checkpoint anchors.
     *
     * @param chainPosition the position where the problem is seen: the row, or the first missing position
     * @param seq the row's {@code seq}; null when the row is missing
     * @param eventId the row's event id; for rows missing at the end, the event id the checkpoint names
     * @param reason what is wrong, in words
     * @param storedHash the hash stored in the row; null when the row is missing
     * @param expectedHash the recomputed hash, or the checkpoint's
     * @param missingFrom first missing position, when positions are missing
     * @param missingTo last missing position, when positions are missing
     */
    public record Mismatch(
            long chainPosition,
            Long seq,
            String eventId,
            String reason,
            String storedHash,
            String expectedHash,
            Long missingFrom,
            Long missingTo) {}

    /**
     * A published checkpoint: the chain's head at {@code chainPosition} had {@code chainHash} when it was taken.
     *
     * @param chainPosition the head's position
     * @param chainHash the head's hash (hex)
     * @param eventId the head's event id
     * @param publishedAt when the checkpoint was published (its CloudEvent time)
     */
    public record Anchor(long chainPosition, String chainHash, String eventId, Instant publishedAt) {

        public static Anchor of(CloudEvent<ChainCheckpoint> checkpoint) {
            return new Anchor(
                    checkpoint.data().chainPosition(),
                    checkpoint.data().chainHash(),
                    checkpoint.data().eventId(),
                    checkpoint.time());
        }
    }
}
