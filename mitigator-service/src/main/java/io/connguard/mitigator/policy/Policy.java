package io.connguard.mitigator.policy;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.connguard.events.Level;
import io.connguard.events.Mode;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A mitigation policy: the escalation ladder, the staged recovery, the guardrails and the protected sessions. Built
 * only by {@link PolicyLoader}, which validates it; see DESIGN.md for the YAML reference.
 */
public record Policy(
        PolicyMode mode,
        List<Step> ladder,
        Recovery recovery,
        Guardrails guardrails,
        @JsonProperty("protected") Protection protection,
        @JsonProperty("notify") Notify notification) {

    public Policy {
        mode = mode == null ? PolicyMode.ENFORCE : mode;
        ladder = ladder == null ? List.of() : List.copyOf(ladder);
        recovery = recovery == null ? new Recovery(null, null, null) : recovery;
        guardrails = guardrails == null ? new Guardrails(null, null, null, null, null) : guardrails;
        protection = protection == null ? new Protection(null, null) : protection;
    }

    /** Whether an enabled step signals database sessions: the target then needs its persistent connection. */
    public boolean signalsSessions() {
        return ladder.stream().anyMatch(step -> step.enabled() && step.action().signalsSessions());
    }

    /** {@code enforce} changes things; {@code dry-run} only publishes what it would have done. */
    public enum PolicyMode {
        @JsonProperty("enforce")
        ENFORCE,
        @JsonProperty("dry-run")
        DRY_RUN;

        Mode wire() {
            return this == ENFORCE ? Mode.ENFORCE : Mode.DRY_RUN;
        }
    }

    /**
     * One rung of the ladder. A disabled step is never chosen (e.g. pool shrinking, off by default). With
     * {@code andNext} the next matching step runs in the same decision, and one verification window covers both
     * (the runbook's emergency "pause ingestion and scale down workers" together).
     */
    public record Step(
            String name,
            Boolean enabled,
            PolicyMode mode,
            Condition when,
            ActionSpec action,
            Verify verify,
            Boolean andNext) {
        public Step {
            enabled = enabled == null || enabled;
            andNext = andNext != null && andNext;
            when = when == null ? new Condition(null, null, null, null) : when;
            verify = verify == null ? new Verify(null, null) : verify;
        }
    }

    /** What a pressure event must show for a step to run; absent bounds always hold. */
    public record Condition(Level minLevel, Double minRatio, Integer minIdleInTransaction, Integer minPoolerWaiting) {
        public Condition {
            minLevel = minLevel == null ? Level.ELEVATED : minLevel;
        }
    }

    /** After {@code window}, the ratio must have fallen by {@code improvement} (ratio points) or the next step runs. */
    public record Verify(Duration window, Double improvement) {
        public Verify {
            window = window == null ? Duration.ofSeconds(30) : window;
            improvement = improvement == null ? 0.05 : improvement;
        }
    }

    /**
     * Recovery starts after OK held for {@code okSoak} (or on incident_resolved); each stage then waits {@code soak}.
     * Scaled workers come back only up to the count whose predicted ratio stays at or below {@code maxRatio}.
     */
    public record Recovery(Duration okSoak, Duration soak, Double maxRatio) {
        public Recovery {
            okSoak = okSoak == null ? Duration.ofSeconds(60) : okSoak;
            soak = soak == null ? Duration.ofSeconds(30) : soak;
            maxRatio = maxRatio == null ? 0.70 : maxRatio;
        }
    }

    /** Limits that hold whatever the ladder says; a hit is published as a SKIPPED action. */
    public record Guardrails(
            Duration cooldown,
            Integer maxActionsPerIncident,
            Integer maxActionsPerHour,
            Integer maxSessionsSignalledPerMinute,
            Double maxReplicaFractionRemoved) {
        public Guardrails {
            cooldown = cooldown == null ? Duration.ofMinutes(2) : cooldown;
            maxActionsPerIncident = maxActionsPerIncident == null ? 10 : maxActionsPerIncident;
            maxActionsPerHour = maxActionsPerHour == null ? 20 : maxActionsPerHour;
            maxSessionsSignalledPerMinute = maxSessionsSignalledPerMinute == null ? 50 : maxSessionsSignalledPerMinute;
            maxReplicaFractionRemoved = maxReplicaFractionRemoved == null ? 0.9 : maxReplicaFractionRemoved;
        }
    }

    /** Sessions of these roles and applications are never signalled (exact names, or a prefix ending in '*'). */
    public record Protection(List<String> users, List<String> applications) {
        public Protection {
            users = users == null ? List.of() : List.copyOf(users);
            applications = applications == null ? List.of() : List.copyOf(applications);
        }
    }

    /** A Slack-compatible incoming webhook told about every action. */
    public record Notify(String url, Duration timeout, Map<String, String> headers) {
        public Notify {
            timeout = timeout == null ? Duration.ofSeconds(2) : timeout;
            headers = headers == null ? Map.of() : Map.copyOf(headers);
        }
    }

    /** The mode a step runs in: its own, else the policy's. */
    public Mode modeOf(Step step) {
        return (step.mode() == null ? mode : step.mode()).wire();
    }
}
