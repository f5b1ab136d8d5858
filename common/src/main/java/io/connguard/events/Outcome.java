package io.connguard.events;

/**
 * What became of one decision or action. One action id can appear several times as it progresses
 * (typically {@code PLANNED} then {@code SUCCEEDED} or {@code FAILED}, later perhaps {@code REVERTED});
 * the latest event of an action id by {@code time} is its current state. The set is closed for
 * {@code io.connguard.action.v1}.
 */
public enum Outcome {
    /** Decided and about to run; {@code startedAt} may be set, {@code finishedAt} is not. */
    PLANNED,
    /** Mode {@link Mode#DRY_RUN}: the command that would have run is recorded, nothing was changed. */
    DRY_RUN,
    /** The command ran and its effect was confirmed. */
    SUCCEEDED,
    /** The command ran and failed; {@code error} says how. */
    FAILED,
    /** A guardrail stopped the action (kill switch, cooldown, budget, protected session); {@code reason} says which. */
    SKIPPED,
    /** A previous action of this incident was undone (e.g. replicas restored, ingestion resumed). */
    REVERTED,
    /** Nothing needed doing: the target was already in the desired state. */
    NOOP
}
