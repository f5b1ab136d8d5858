package io.connguard.mitigator.policy;

import java.util.Objects;

/** The engine's answer to one input: the state to commit before any effect, and the decision. */
public record Transition(EpisodeState next, Decision decision) {
    public Transition {
        Objects.requireNonNull(next, "next");
        Objects.requireNonNull(decision, "decision");
    }
}
