package io.connguard.mitigator.action.postgres;

import io.connguard.mitigator.policy.ActionSpec;
import io.connguard.mitigator.policy.Policy;
import java.util.List;

/**
 * Which backends a signal may reach. The protections come first and hold whatever the policy's filter says:
 * only client backends (never walsenders, replication or background workers), never superusers unless allowed,
 * never connguard's own sessions, never protected users or applications.
 */
final class SessionRules {

    static final String OWN_APPLICATION_PREFIX = "connguard-";

    private SessionRules() {}

    /** Why the backend must not be signalled, or null when it may be. */
    static String protectedBecause(Backend b, boolean allowSuperusers, Policy.Protection protection) {
        if (!"client backend".equals(b.backendType())) {
            return "protected: " + b.backendType() + " is not a client backend";
        }
        if (b.superuser() && !allowSuperusers) {
            return "protected: superuser " + b.user();
        }
        if (b.application() != null && b.application().startsWith(OWN_APPLICATION_PREFIX)) {
            return "protected: connguard's own session";
        }
        if (matchesAny(b.user(), protection.users())) {
            return "protected: user " + b.user();
        }
        if (matchesAny(b.application(), protection.applications())) {
            return "protected: application " + b.application();
        }
        return null;
    }

    /** Whether a long query is in scope of a cancel step (before protections). */
    static boolean inScope(Backend b, ActionSpec.CancelQueries spec) {
        return b.state() != null
                && spec.states().contains(b.state())
                && b.queryMs() >= spec.minDuration().toMillis()
                && filtered(b, spec.filter());
    }

    /** Whether an idle-in-transaction session is in scope of a terminate step (before protections). */
    static boolean inScope(Backend b, ActionSpec.TerminateIdleInTransaction spec) {
        return b.state() != null
                && b.state().startsWith("idle in transaction")
                && b.stateMs() >= spec.olderThan().toMillis()
                && filtered(b, spec.filter());
    }

    private static boolean filtered(Backend b, ActionSpec.SessionFilter f) {
        return (f.users().isEmpty() || matchesAny(b.user(), f.users()))
                && (f.applications().isEmpty() || matchesAny(b.application(), f.applications()))
                && (f.databases().isEmpty() || matchesAny(b.database(), f.databases()));
    }

    /** Exact names, or a prefix when the pattern ends in '*'. */
    static boolean matchesAny(String value, List<String> patterns) {
        if (value == null) {
            return false;
        }
        for (String p : patterns) {
            if (p.endsWith("*") ? value.startsWith(p.substring(0, p.length() - 1)) : value.equals(p)) {
                return true;
            }
        }
        return false;
    }
}
