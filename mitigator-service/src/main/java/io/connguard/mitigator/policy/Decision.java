package io.connguard.mitigator.policy;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** What the engine decided for one input. A value; the runner turns it into effects and action events. */
public sealed interface Decision {

    /**
     * Run these actions, in order. {@code confirmation} is the mitigator's own sample that bore out the claim before an
     * enforced step; null for restores and dry-run steps, which act on no claim of pressure.
     */
    record Act(List<PlannedAction> plan, Confirmation confirmation) implements Decision {
        public Act {
            if (plan == null || plan.isEmpty()) {
                throw new IllegalArgumentException("an Act needs at least one action; use Hold for nothing to do");
            }
            if (confirmation != null && !confirmation.confirmed()) {
                throw new IllegalArgumentException("an unconfirmed claim is a Hold, not an Act: " + confirmation);
            }
            plan = List.copyOf(plan);
        }

        public Act(List<PlannedAction> plan) {
            this(plan, null);
        }
    }

    /** A verification window or a recovery soak runs until {@code until}. */
    record Wait(Instant until, String reason) implements Decision {
        public Wait {
            Objects.requireNonNull(until, "until");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Nothing runs. {@code blocked} is the action a guardrail stopped (published as SKIPPED); {@code silent} marks a
     * hold that is not worth an event (a duplicate input, a tick with nothing due). A silent hold blocks nothing.
     */
    record Hold(String reason, PlannedAction blocked, boolean silent) implements Decision {
        public Hold {
            Objects.requireNonNull(reason, "reason");
            if (silent && blocked != null) {
                throw new IllegalArgumentException("a guardrail hit must be published, it cannot be silent");
            }
        }

        public static Hold because(String reason) {
            return new Hold(reason, null, false);
        }

        public static Hold silently(String reason) {
            return new Hold(reason, null, true);
        }

        public static Hold blocking(PlannedAction action, String reason) {
            return new Hold(reason, Objects.requireNonNull(action, "blocked"), false);
        }
    }
}
