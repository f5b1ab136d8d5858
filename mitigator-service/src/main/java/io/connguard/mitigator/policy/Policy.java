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
        @JsonProperty("notify") Notify notification,
        Evidence evidence) {

    public Policy {
        mode = mode == null ? PolicyMode.ENFORCE : mode;
        ladder = ladder == null ? List.of() : List.copyOf(ladder);
        evidence = evidence == null ? new Evidence(null, null, null, null) : evidence;
        recovery = recovery == null ? new Recovery(null, null, null) : recovery;
        guardrails = guardrails == null ? new Guardrails(null, null, null, null, null) : guardrails;
        protection = protection == null ? new Protection(null, null) : protection;
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

    /**
     * How fresh and how confirmed a claim must be before the engine acts on it. A pressure event is the detector's
     * claim about the target; the engine acts only on a claim sampled within {@code maxAge} that its own sample of the
     * target confirms, and while an episode is open it expects a fresh claim at least every {@code timeout}.
     *
     * @param maxAge a claim sampled longer ago than this (or this far ahead of the mitigator's clock) changes nothing;
     *     twice the detector's periodic update (5 s) by default, so one late update is not stale yet
     * @param timeout how long an open episode goes without a fresh claim before the mitigator holds and judges the
     *     target on its own samples; longer than the detector's heartbeat (30 s), so a quiet detector never expires it
     * @param confirmTolerance how far (ratio points) the mitigator's own sample may lie below what a claim needs and
     *     still confirm it: the two samples are moments apart
     * @param healthyBelow own samples under this ratio are healthy (the detector's ELEVATED threshold by default); a
     *     claim is confirmed at no less than this, minus the tolerance
     */
    public record Evidence(Duration maxAge, Duration timeout, Double confirmTolerance, Double healthyBelow) {
        public Evidence {
            maxAge = maxAge == null ? Duration.ofSeconds(10) : maxAge;
            timeout = timeout == null ? Duration.ofSeconds(45) : timeout;
            confirmTolerance = confirmTolerance == null ? 0.10 : confirmTolerance;
            healthyBelow = healthyBelow == null ? 0.80 : healthyBelow;
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

    /**
     * A Slack-compatible incoming webhook told about every action, one message per action (a session step's backends
     * summarised in it). At most {@code burst} messages at once and {@code postsPerMinute} on average per webhook URL
     * (Slack accepts about one a second); a message over the limit is dropped, counted, and mentioned in the next one.
     */
    public record Notify(
            String url, Duration timeout, Map<String, String> headers, Integer postsPerMinute, Integer burst) {
        public Notify {
            timeout = timeout == null ? Duration.ofSeconds(2) : timeout;
            headers = headers == null ? Map.of() : Map.copyOf(headers);
            postsPerMinute = postsPerMinute == null ? 20 : postsPerMinute;
            burst = burst == null ? 5 : burst;
        }
    }

    /** The mode a step runs in: its own, else the policy's. */
    public Mode modeOf(Step step) {
        return (step.mode() == null ? mode : step.mode()).wire();
    }
}
