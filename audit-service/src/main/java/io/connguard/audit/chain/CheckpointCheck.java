package io.connguard.audit.chain;

import io.connguard.audit.chain.ChainVerification.Anchor;
import io.connguard.audit.chain.ChainVerification.Mismatch;
import java.util.Optional;

/**
 * Compares a stored chain with its latest checkpoint (pure). The chain's own links show an edited row or a gap, but
 * not rows removed from its end: the checkpoint, kept outside the database, does. Rows stored after the checkpoint
 * are not its business.
 */
public final class CheckpointCheck {

    private CheckpointCheck() {}

    /**
     * The problem the checkpoint reveals, if any.
     *
     * @param headPosition position of the chain's last stored row, 0 when none is left
     * @param storedHashAtCheckpoint the stored hash of the row at the checkpoint's position; null when that row is
     *     not stored
     */
    public static Optional<Mismatch> against(Anchor checkpoint, long headPosition, String storedHashAtCheckpoint) {
        if (headPosition < checkpoint.chainPosition()) {
            long from = headPosition + 1;
            return Optional.of(new Mismatch(
                    from,
                    null,
                    checkpoint.eventId(),
                    "positions " + from + " to " + checkpoint.chainPosition()
                            + " are missing at the end of the chain: the checkpoint published at "
                            + checkpoint.publishedAt() + " anchors position " + checkpoint.chainPosition()
                            + " (event " + checkpoint.eventId() + ")",
                    null,
                    checkpoint.chainHash(),
                    from,
                    checkpoint.chainPosition()));
        }
        if (storedHashAtCheckpoint == null) {
            // a gap inside the chain: the chain's own check names it
            return Optional.empty();
        }
        if (!storedHashAtCheckpoint.equals(checkpoint.chainHash())) {
            return Optional.of(new Mismatch(
                    checkpoint.chainPosition(),
                    null,
                    checkpoint.eventId(),
                    "the row at position " + checkpoint.chainPosition() + " does not have the hash of the checkpoint"
                            + " published at " + checkpoint.publishedAt() + ": the chain up to it was rewritten",
                    storedHashAtCheckpoint,
                    checkpoint.chainHash(),
                    null,
                    null));
        }
        return Optional.empty();
    }
}
