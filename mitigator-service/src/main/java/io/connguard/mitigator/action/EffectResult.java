package io.connguard.mitigator.action;

import com.fasterxml.jackson.databind.JsonNode;
import io.connguard.events.Command;
import io.connguard.events.Mode;
import io.connguard.events.Outcome;
import io.connguard.mitigator.policy.Operation;
import io.connguard.mitigator.policy.PlannedAction;
import java.time.Instant;

/**
 * What one adapter call did (or, in dry-run, would have done). A session action reports one result per session,
 * told apart by {@code subject} (e.g. {@code pid-4242}); other actions report one result with no subject.
 */
public record EffectResult(
        String subject,
        String action,
        Outcome outcome,
        Command command,
        JsonNode stateBefore,
        JsonNode stateAfter,
        JsonNode evidence,
        String reason,
        String error,
        int sessionsSignalled,
        Instant startedAt,
        Instant finishedAt) {

    /** The outcome of a command that ran: applied steps succeed, undone ones are reverted; dry-run changes nothing. */
    public static Outcome ran(PlannedAction action) {
        if (action.mode() == Mode.DRY_RUN) {
            return Outcome.DRY_RUN;
        }
        return action.operation() == Operation.APPLY ? Outcome.SUCCEEDED : Outcome.REVERTED;
    }

    /** The one result of an action on a whole object (a workload, a flag): no subject, evidence or signals. */
    public static EffectResult of(
            PlannedAction action,
            Outcome outcome,
            Command command,
            JsonNode stateBefore,
            JsonNode stateAfter,
            String reason,
            Instant startedAt) {
        return new EffectResult(
                null,
                action.actionName(),
                outcome,
                command,
                stateBefore,
                stateAfter,
                null,
                reason,
                null,
                0,
                startedAt,
                Instant.now());
    }

    public static EffectResult failed(PlannedAction action, Command command, String error, Instant startedAt) {
        return new EffectResult(
                null,
                action.actionName(),
                Outcome.FAILED,
                command,
                null,
                null,
                null,
                null,
                error,
                0,
                startedAt,
                Instant.now());
    }

    public boolean failed() {
        return outcome == Outcome.FAILED;
    }
}
