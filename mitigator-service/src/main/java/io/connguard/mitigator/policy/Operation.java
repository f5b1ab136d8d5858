package io.connguard.mitigator.policy;

/** What a planned action does to its step's object: apply the step, or undo it partly or fully in recovery. */
public enum Operation {
    /** Run the step (pause, scale down, cancel, terminate, shrink). */
    APPLY,
    /** Recovery's first stage for scaled workloads: back to one replica, then observe. */
    PARTIAL_RESTORE,
    /** Undo the step exactly (original replicas, original pool size, ingestion resumed). */
    RESTORE
}
