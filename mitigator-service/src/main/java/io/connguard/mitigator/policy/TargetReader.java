package io.connguard.mitigator.policy;

/**
 * Reads the target itself, for the engine to confirm a claim or to judge the target when claims stopped arriving.
 * The runner supplies it (one query over the connection it holds); the engine calls it only when it is about to act
 * or has no fresh claim, and at most once per input.
 */
@FunctionalInterface
public interface TargetReader {

    /** The target as the mitigator sees it now; null when it cannot be read (no connection, query failed). */
    OwnSample read();

    /** A reader that reads at most once, however often it is asked. */
    default TargetReader once() {
        TargetReader source = this;
        return new TargetReader() {
            private boolean read;
            private OwnSample sample;

            @Override
            public OwnSample read() {
                if (!read) {
                    sample = source.read();
                    read = true;
                }
                return sample;
            }
        };
    }
}
