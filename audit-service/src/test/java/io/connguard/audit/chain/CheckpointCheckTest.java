package io.connguard.audit.chain;

import static org.assertj.core.api.Assertions.assertThat;

import io.connguard.audit.chain.ChainVerification.Anchor;
import io.connguard.audit.chain.ChainVerification.Mismatch;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CheckpointCheckTest {

    private static final String HASH = "a".repeat(64);
    private static final Anchor AT_5 = new Anchor(5, HASH, "event-5", Instant.parse("2026-12-01T10:00:00Z"));

    @Test
    void aChainThatStillHoldsTheCheckpointedRowPasses() {
        assertThat(CheckpointCheck.against(AT_5, 5, HASH)).isEmpty();
        // rows stored after the checkpoint are not its business
        assertThat(CheckpointCheck.against(AT_5, 9, HASH)).isEmpty();
    }

    @Test
    void newestRowsDeletedAfterTheCheckpointAreNamedAsTheMissingRange() {
        Mismatch missing = CheckpointCheck.against(AT_5, 3, null).orElseThrow();

        assertThat(missing.missingFrom()).isEqualTo(4);
        assertThat(missing.missingTo()).isEqualTo(5);
        assertThat(missing.chainPosition()).isEqualTo(4);
        assertThat(missing.eventId()).isEqualTo("event-5");
        assertThat(missing.expectedHash()).isEqualTo(HASH);
        assertThat(missing.reason())
                .isEqualTo("positions 4 to 5 are missing at the end of the chain: the checkpoint published at"
                        + " 2026-12-01T10:00:00Z anchors position 5 (event event-5)");
    }

    @Test
    void aChainWithEveryRowDeletedMissesAllPositionsUpToTheCheckpoint() {
        Mismatch missing = CheckpointCheck.against(AT_5, 0, null).orElseThrow();

        assertThat(missing.missingFrom()).isEqualTo(1);
        assertThat(missing.missingTo()).isEqualTo(5);
    }

    @Test
    void anotherHashAtTheCheckpointedPositionIsARewrittenChain() {
        Mismatch rewritten = CheckpointCheck.against(AT_5, 7, "b".repeat(64)).orElseThrow();

        assertThat(rewritten.chainPosition()).isEqualTo(5);
        assertThat(rewritten.storedHash()).isEqualTo("b".repeat(64));
        assertThat(rewritten.expectedHash()).isEqualTo(HASH);
        assertThat(rewritten.missingFrom()).isNull();
        assertThat(rewritten.reason()).contains("rewritten");
    }
}
