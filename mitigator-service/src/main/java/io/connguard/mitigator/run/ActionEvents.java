package io.connguard.mitigator.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.connguard.events.ActionEvent;
import io.connguard.events.Command;
import io.connguard.events.EventJson;
import io.connguard.events.Mode;
import io.connguard.events.Outcome;
import io.connguard.mitigator.action.EffectResult;
import io.connguard.mitigator.policy.Confirmation;
import io.connguard.mitigator.policy.OwnSample;
import io.connguard.mitigator.policy.PlannedAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** Maps engine decisions and adapter results to the wire contract ({@code io.connguard.action.v1}). */
final class ActionEvents {

    private ActionEvents() {}

    static String id(String... parts) {
        return UUID.nameUUIDFromBytes(String.join("/", parts).getBytes(StandardCharsets.UTF_8))
                .toString();
    }

    /**
     * Decided, about to run; {@code confirmation} (null for restores and dry runs) is the mitigator's own sample that
     * bore out the claim, recorded as the event's evidence.
     */
    static ActionEvent planned(PlannedAction a, Confirmation confirmation, Instant now) {
        return new ActionEvent(
                a.actionId(),
                a.targetId(),
                a.incidentId(),
                a.causationId(),
                a.step(),
                a.actionName(),
                a.mode(),
                Outcome.PLANNED,
                null,
                null,
                null,
                confirmation == null ? null : evidence(confirmation),
                a.operation() + " " + a.spec().kind() + (a.reason() == null ? "" : ": " + a.reason()),
                null,
                now,
                null,
                null);
    }

    private static ObjectNode evidence(Confirmation c) {
        ObjectNode confirmed = EventJson.mapper().createObjectNode();
        OwnSample own = c.own();
        if (own.refused()) {
            confirmed.put("refused", true);
        } else {
            confirmed.put("clientBackends", own.clientBackends());
            confirmed.put("usable", own.usable());
        }
        confirmed.put("ratio", round(own.ratio()));
        confirmed.put("claimedRatio", round(c.claimed()));
        confirmed.put("requiredRatio", round(c.required()));
        confirmed.put("sampledAt", own.takenAt().toString());
        confirmed.put("sampleMs", round(own.took()));
        ObjectNode evidence = EventJson.mapper().createObjectNode();
        evidence.set("confirmation", confirmed);
        return evidence;
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    /** What the adapter did; a session result gets its own action id (one action per pid). */
    static ActionEvent result(PlannedAction a, EffectResult r) {
        String actionId = r.subject() == null ? a.actionId() : id(a.actionId(), r.subject());
        Long duration = r.startedAt() == null || r.finishedAt() == null
                ? null
                : Duration.between(r.startedAt(), r.finishedAt()).toMillis();
        return new ActionEvent(
                actionId,
                a.targetId(),
                a.incidentId(),
                a.causationId(),
                a.step(),
                r.action(),
                a.mode(),
                r.outcome(),
                r.command(),
                r.stateBefore(),
                r.stateAfter(),
                r.evidence(),
                r.reason(),
                r.error(),
                r.startedAt(),
                r.finishedAt(),
                duration);
    }

    /** A guardrail stopped the action; each such decision is its own event (one per causing input). */
    static ActionEvent skipped(PlannedAction a, String causation, String reason, Instant now) {
        return new ActionEvent(
                id(a.actionId(), "skipped", String.valueOf(causation)),
                a.targetId(),
                a.incidentId(),
                causation,
                a.step(),
                a.actionName(),
                a.mode(),
                Outcome.SKIPPED,
                null,
                null,
                null,
                null,
                reason,
                null,
                now,
                now,
                0L);
    }

    /**
     * A decision to do nothing (waiting, nothing applies, recovery done), with why. {@code episode} is the episode the
     * decision was taken in ({@link io.connguard.mitigator.policy.EpisodeState#episode()}, -1 when the state could not
     * be read).
     *
     * <p>The id is derived, not random, from (target, incident, episode, causing input, reason): the audit service
     * keeps one event per id, so the same decision published twice (a redelivered input, a replica that re-decides
     * after losing the state race) is stored once, while two different decisions never share an id. A tick's decision
     * has no causing input, so the episode is what tells them apart: "recovery complete" ends each episode exactly
     * once (the episode number grows every time mitigation re-enters, across incidents), and before the episode was
     * part of the id every target's recovery-complete events shared one id and the audit kept only the first.
     */
    static ActionEvent noop(
            String targetId,
            String incidentId,
            int episode,
            String causation,
            String step,
            Mode mode,
            String reason,
            Instant now) {
        return new ActionEvent(
                id(
                        targetId,
                        String.valueOf(incidentId),
                        "episode-" + episode,
                        String.valueOf(causation),
                        "decision",
                        reason),
                targetId,
                incidentId,
                causation,
                step,
                ActionEvent.ACTION_NONE,
                mode,
                Outcome.NOOP,
                Command.none(),
                null,
                null,
                null,
                reason,
                null,
                now,
                now,
                0L);
    }
}
