package io.connguard.mitigator.policy;

/**
 * What an adapter reports back to the engine after running a planned action. {@code replicasBefore} and
 * {@code replicasAfter} are set by scale actions (null otherwise), and {@code poolSize} when the workload declares its
 * pool size, so recovery can learn connections per replica.
 */
public record EffectReport(
        String actionId,
        String step,
        boolean failed,
        String error,
        int sessionsSignalled,
        Integer replicasBefore,
        Integer replicasAfter,
        Integer poolSize) {

    public EffectReport(String actionId, String step, boolean failed, String error, int sessionsSignalled) {
        this(actionId, step, failed, error, sessionsSignalled, null, null, null);
    }
}
