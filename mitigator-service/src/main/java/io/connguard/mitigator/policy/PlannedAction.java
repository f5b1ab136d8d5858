package io.connguard.mitigator.policy;

import io.connguard.events.Mode;
import java.util.Objects;

/**
 * One action the engine decided on, with everything the adapter needs and nothing it must look up in the policy.
 *
 * @param actionId idempotency key: the same (target, incident, episode, step, operation) always has the same id
 * @param sessionBudget how many sessions the action may still signal this minute
 * @param maxReplicaFractionRemoved guardrail for scale-downs: never remove more than this share of the original
 * @param restoreReplicas for a partial restore of a scaled workload: the count to bring it back to (null: one)
 * @param reason why the engine chose this action's parameters, published with its result (null: nothing to add)
 */
public record PlannedAction(
        String actionId,
        String targetId,
        String incidentId,
        String causationId,
        String step,
        ActionSpec spec,
        Operation operation,
        Mode mode,
        int sessionBudget,
        double maxReplicaFractionRemoved,
        Policy.Protection protection,
        Integer restoreReplicas,
        String reason) {

    public PlannedAction(
            String actionId,
            String targetId,
            String incidentId,
            String causationId,
            String step,
            ActionSpec spec,
            Operation operation,
            Mode mode,
            int sessionBudget,
            double maxReplicaFractionRemoved,
            Policy.Protection protection) {
        this(
                actionId,
                targetId,
                incidentId,
                causationId,
                step,
                spec,
                operation,
                mode,
                sessionBudget,
                maxReplicaFractionRemoved,
                protection,
                null,
                null);
    }

    public PlannedAction {
        Objects.requireNonNull(actionId, "actionId");
        Objects.requireNonNull(targetId, "targetId");
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(mode, "mode");
        if (operation != Operation.APPLY && !spec.reversible()) {
            throw new IllegalArgumentException(spec.kind() + " cannot be undone, so it cannot be " + operation);
        }
        if (operation == Operation.PARTIAL_RESTORE && !(spec instanceof ActionSpec.ScaleWorkload)) {
            throw new IllegalArgumentException("only scaled workloads are restored partially");
        }
        if (restoreReplicas != null && (operation != Operation.PARTIAL_RESTORE || restoreReplicas < 1)) {
            throw new IllegalArgumentException("restoreReplicas is a partial restore's count, >= 1");
        }
    }

    /** The contract's action name: apply uses the step's own, undoing uses the matching restore name. */
    public String actionName() {
        return operation == Operation.APPLY || spec.restoredName() == null ? spec.appliedName() : spec.restoredName();
    }
}
