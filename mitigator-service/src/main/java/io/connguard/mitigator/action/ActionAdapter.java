package io.connguard.mitigator.action;

import io.connguard.mitigator.policy.ActionSpec;
import io.connguard.mitigator.policy.PlannedAction;
import java.util.List;
import java.util.Optional;

/**
 * Runs planned actions of the kinds it supports against one external system. Called on a target's worker thread
 * (never the event loop); may block. Never throws for a failure of the external system: reports FAILED instead,
 * which closes the target (no further step) until the incident ends.
 */
public interface ActionAdapter {

    /** The first of {@code adapters} that runs {@code spec}; empty when none does. */
    static Optional<ActionAdapter> forSpec(List<ActionAdapter> adapters, ActionSpec spec) {
        return adapters.stream().filter(adapter -> adapter.supports(spec)).findFirst();
    }

    boolean supports(ActionSpec spec);

    List<EffectResult> run(PlannedAction action);

    /**
     * Does the reads a first run of {@code spec} does (the object it changes, what it checks first), so the first
     * incident after a start does not pay their first-use cost. Reads only; may throw, the caller logs and goes on.
     */
    default void warmUp(ActionSpec spec) {}
}
