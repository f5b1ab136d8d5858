package io.connguard.mitigator.policy;

/**
 * What an adapter reports back to the engine after running a planned action. {@code changed} is false when the
 * action found nothing to do (every result {@code NOOP} or {@code SKIPPED}: no session old enough, workload already at
 * the count); such an action starts no cooldown. {@code replicasBefore} and {@code replicasAfter} are set by scale
 * actions (null otherwise), and {@code poolSize} when the workload declares its pool size, so recovery can learn
 * connections per replica.
 */
public record EffectReport(
        String actionId,
        String step,
        Operation operation,
        boolean changed,
        boolean failed,
        String error,
        int sessionsSignalled,
        Integer replicasBefore,
        Integer replicasAfter,
        Integer poolSize) {}
