package io.connguard.audit.chain;

/**
 * The result of recomputing a subject's hash chain.
 *
 * @param subject the target
 * @param rows rows checked
 * @param valid every row's hash matches its recomputation and no position is missing
 * @param headPosition position of the last row
 * @param headHash hash of the last row (hex): record it elsewhere to detect a rewrite of the whole chain later
 * @param firstMismatch the first row, in chain order, that does not match; null when valid
 */
public record ChainVerification(
        String subject, long rows, boolean valid, long headPosition, String headHash, Mismatch firstMismatch) {

    /**
     * A row whose stored hash differs from the one recomputed from its content and its predecessor's hash, or that
     * follows a missing position.
     */
    public record Mismatch(
            long chainPosition, long seq, String eventId, String reason, String storedHash, String expectedHash) {}
}
