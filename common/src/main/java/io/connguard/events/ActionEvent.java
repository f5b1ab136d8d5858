package io.connguard.events;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/**
 * Data of {@code io.connguard.action.v1}: one mitigator decision or action, including the ones it
 * decided not to take. Together these events are the audit trail of what connguard did to a target.
 *
 * <p>An action goes through several events that share {@code actionId} (e.g. {@code PLANNED} then
 * {@code SUCCEEDED}); each event has its own CloudEvent id. {@code actionId} is derived from the
 * decision, so a redelivered pressure event produces the same {@code actionId}, never a second action.
 *
 * @param actionId idempotency key of the action, stable across redelivery and restarts
 * @param targetId target acted for; equals the event subject and Kafka key
 * @param incidentId incident the action belongs to; absent only for decisions outside an incident
 * @param causationId CloudEvent {@code id} of the pressure event that caused the decision
 * @param policyStep name of the policy step that decided
 * @param action kind of action: {@code pause-ingestion}, {@code scale-workload}, {@code cancel-query},
 *     {@code terminate-backend}, {@code terminate-idle-in-transaction}, {@code shrink-pool},
 *     {@code notify}, {@code resume-ingestion}, {@code restore-workload}, {@code none}; an open set
 * @param mode enforce or dry-run
 * @param outcome what became of it
 * @param command the command run or planned; absent when nothing was to be run
 * @param stateBefore free-form state of the object before the action (e.g. {@code {"replicas":6}})
 * @param stateAfter free-form state after the action, when it ran
 * @param evidence what justified a signal to a backend, recorded before sending it (pid, user,
 *     application, durations, query fingerprint, blockers)
 * @param reason why, in words a human can act on; always set for {@code SKIPPED}
 * @param error failure detail for {@code FAILED}
 * @param startedAt when the command started
 * @param finishedAt when the command finished (or failed)
 * @param durationMs {@code finishedAt - startedAt}
 */
public record ActionEvent(
        String actionId,
        String targetId,
        String incidentId,
        String causationId,
        String policyStep,
        String action,
        Mode mode,
        Outcome outcome,
        Command command,
        JsonNode stateBefore,
        JsonNode stateAfter,
        JsonNode evidence,
        String reason,
        String error,
        Instant startedAt,
        Instant finishedAt,
        Long durationMs)
        implements EventPayload {

    /** Action kind of a decision that runs nothing. */
    public static final String ACTION_NONE = "none";

    public ActionEvent {
        requireNonBlank(actionId, "actionId");
        requireNonBlank(targetId, "targetId");
        requireNonBlank(action, "action");
        Objects.requireNonNull(mode, "mode must not be null");
        Objects.requireNonNull(outcome, "outcome must not be null");
        if (outcome == Outcome.SKIPPED && (reason == null || reason.isBlank())) {
            throw new IllegalArgumentException("reason must be set when outcome is SKIPPED");
        }
        stateBefore = nullIfJsonNull(stateBefore);
        stateAfter = nullIfJsonNull(stateAfter);
        evidence = nullIfJsonNull(evidence);
    }

    private static void requireNonBlank(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }

    // a JSON null arrives as NullNode; normalize so absent and null mean the same and are omitted on write
    private static JsonNode nullIfJsonNull(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null : node;
    }
}
