package io.connguard.mitigator.policy;

import io.connguard.events.PressureChanged;
import java.util.Locale;

/**
 * Whether the mitigator's own sample bears out a claim before it acts on it. A claim is confirmed when the server
 * refused the mitigator a new connection, or when its own ratio reaches {@code required}: the higher of the claimed
 * ratio and the healthy ceiling, less the tolerance. So a claim of 0.96 needs 0.86 on the target, and no claim, not
 * even one of 0.30 at CRITICAL, is confirmed on a target under the healthy ceiling less the tolerance.
 *
 * @param own the mitigator's sample; null when the target could not be read, which confirms nothing
 */
public record Confirmation(OwnSample own, double claimed, double required, boolean confirmed) {

    static Confirmation judge(OwnSample own, PressureChanged claim, Policy.Evidence rules) {
        // a refused probe carries no counts: exhaustion is the claim, the ceiling is what it must beat
        double claimed = claim.connections() == null ? rules.healthyBelow() : claim.ratio();
        double required = Math.max(claimed, rules.healthyBelow()) - rules.confirmTolerance();
        boolean confirmed = own != null && (own.refused() || own.ratio() >= required);
        return new Confirmation(own, claimed, required, confirmed);
    }

    @Override
    public String toString() {
        String seen = own == null ? "the target could not be read" : "own sample " + own;
        return String.format(Locale.ROOT, "%s, claimed ratio %.2f, confirmation needs %.2f", seen, claimed, required);
    }
}
