package io.connguard.mitigator.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The objects the shipped default policy acts on, as the adapters would find and change them: the ingestion flag, the
 * etl-worker Deployment (4 replicas, {@code PG_POOL_MAX} 5), sessions to cancel and idle transactions to terminate.
 * Applying a plan changes them and reports back like the adapters do; every change is kept in {@link #history()}.
 */
final class SimulatedStarforge {

    static final int ORIGINAL_REPLICAS = 4;
    static final int POOL_PER_REPLICA = 5;

    /** One effect as the action event would record it. */
    record Effect(Instant at, String step, Operation operation, boolean changed, int replicasAfter) {}

    private int replicas = ORIGINAL_REPLICAS;
    private boolean ingestionPaused;
    private final List<Effect> history = new ArrayList<>();
    private final List<Integer> replicaHistory = new ArrayList<>(List.of(ORIGINAL_REPLICAS));

    int replicas() {
        return replicas;
    }

    boolean ingestionPaused() {
        return ingestionPaused;
    }

    List<Effect> history() {
        return history;
    }

    /** Every replica count etl-worker had, in order, starting with the original. */
    List<Integer> replicaHistory() {
        return replicaHistory;
    }

    List<EffectReport> run(List<PlannedAction> plan, Instant now) {
        List<EffectReport> reports = new ArrayList<>();
        for (PlannedAction action : plan) {
            reports.add(run(action, now));
        }
        return reports;
    }

    private EffectReport run(PlannedAction action, Instant now) {
        boolean apply = action.operation() == Operation.APPLY;
        EffectReport report;
        if (action.spec() instanceof ActionSpec.PauseIngestion) {
            boolean changed = ingestionPaused != apply;
            ingestionPaused = apply;
            report = report(action, changed, 0, null, null);
        } else if (action.spec() instanceof ActionSpec.ScaleWorkload spec) {
            report = scale(action, spec);
        } else {
            // a flapping load keeps a long query and an idle transaction around to find each time
            report = report(action, true, 1, null, null);
        }
        history.add(new Effect(now, action.step(), action.operation(), report.changed(), replicas));
        return report;
    }

    // the arithmetic of KubernetesScale: clamp by max-replica-fraction-removed, a partial restore only scales up
    private EffectReport scale(PlannedAction action, ActionSpec.ScaleWorkload spec) {
        int before = replicas;
        int wanted;
        if (action.operation() == Operation.APPLY) {
            int asked =
                    spec.replicas() != null ? spec.replicas() : (int) Math.floor(ORIGINAL_REPLICAS * spec.fraction());
            int floor = (int) Math.ceil(ORIGINAL_REPLICAS * (1 - action.maxReplicaFractionRemoved()));
            wanted = Math.min(before, Math.max(asked, floor));
        } else if (action.operation() == Operation.PARTIAL_RESTORE) {
            int count = action.restoreReplicas() == null ? 1 : action.restoreReplicas();
            wanted = Math.max(before, Math.min(count, ORIGINAL_REPLICAS));
        } else {
            wanted = ORIGINAL_REPLICAS;
        }
        replicas = wanted;
        if (wanted != before) {
            replicaHistory.add(wanted);
        }
        return action.operation() == Operation.APPLY
                ? report(action, wanted != before, 0, before, wanted)
                : report(action, wanted != before, 0, null, null);
    }

    private static EffectReport report(
            PlannedAction action, boolean changed, int signalled, Integer before, Integer after) {
        return new EffectReport(
                action.actionId(),
                action.step(),
                action.operation(),
                changed,
                false,
                null,
                signalled,
                before,
                after,
                before == null ? null : POOL_PER_REPLICA);
    }
}
