package io.connguard.mitigator.action.postgres;

import io.connguard.events.Command;
import io.connguard.events.EventJson;
import io.connguard.events.Mode;
import io.connguard.events.Outcome;
import io.connguard.mitigator.action.ActionAdapter;
import io.connguard.mitigator.action.EffectResult;
import io.connguard.mitigator.guard.KillSwitch;
import io.connguard.mitigator.policy.ActionSpec;
import io.connguard.mitigator.policy.PlannedAction;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Cancels long queries ({@code pg_cancel_backend}, then {@code pg_terminate_backend} after a grace period only when
 * the policy allows) and terminates sessions idle in a transaction, over the target's persistent connection. Every
 * candidate gets its own result: signalled with the evidence recorded first, or skipped with the protection or
 * budget that stopped it.
 */
@ApplicationScoped
public class PostgresSessions implements ActionAdapter {

    // literals replaced so statements of one shape share a fingerprint; the text itself never leaves the database
    private static final String SESSIONS = """
            SELECT a.pid, a.backend_start, a.usename, a.application_name, a.datname, a.state, a.backend_type,
                   coalesce(r.rolsuper, false),
                   coalesce((extract(epoch FROM clock_timestamp() - a.query_start) * 1000)::bigint, 0),
                   coalesce((extract(epoch FROM clock_timestamp() - a.xact_start) * 1000)::bigint, 0),
                   coalesce((extract(epoch FROM clock_timestamp() - a.state_change) * 1000)::bigint, 0),
                   left(md5(regexp_replace(coalesce(a.query, ''), '''[^'']*''|\\m\\d+(\\.\\d+)?\\M', '?', 'g')), 16),
                   CASE WHEN a.wait_event_type = 'Lock' THEN pg_blocking_pids(a.pid) ELSE '{}'::int[] END
            FROM pg_stat_activity a LEFT JOIN pg_roles r ON r.oid = a.usesysid
            WHERE a.pid <> pg_backend_pid()
            """;

    // the check and the signal in one statement: only the backend that was listed, never a later owner of its pid
    private static final String SIGNAL =
            "SELECT %s(pid) FROM pg_stat_activity WHERE pid = %d AND backend_start = '%s'::timestamptz";

    private final PostgresConnections connections;
    private final KillSwitch killSwitch;

    PostgresSessions(PostgresConnections connections, KillSwitch killSwitch) {
        this.connections = connections;
        this.killSwitch = killSwitch;
    }

    @Override
    public boolean supports(ActionSpec spec) {
        return spec instanceof ActionSpec.CancelQueries || spec instanceof ActionSpec.TerminateIdleInTransaction;
    }

    @Override
    public List<EffectResult> run(PlannedAction action) {
        Instant started = Instant.now();
        Command listing = new Command("postgres", "SELECT ... FROM pg_stat_activity", action.targetId());
        List<EffectResult> results = new ArrayList<>();
        try {
            Connection c = connections.connection(action.targetId());
            Budget budget = new Budget(action.sessionBudget());
            if (action.spec() instanceof ActionSpec.CancelQueries cancel) {
                List<Backend> cancelled = signal(
                        c,
                        action,
                        b -> SessionRules.inScope(b, cancel),
                        cancel.allowSuperusers(),
                        "pg_cancel_backend",
                        cancel.appliedName(),
                        budget,
                        results);
                if (cancel.terminate() && action.mode() == Mode.ENFORCE && !cancelled.isEmpty()) {
                    sleep(cancel.terminateAfter());
                    Map<Integer, Backend> stuck = cancelled.stream().collect(Collectors.toMap(Backend::pid, b -> b));
                    // the switch was read before the step began; the terminate is a new, harsher signal
                    if (killSwitch.engaged()) {
                        budget.stop("kill switch engaged during the grace period: not terminated");
                    }
                    // only the very statements cancelled before, still running after the grace period
                    signal(
                            c,
                            action,
                            b -> sameStatement(stuck.get(b.pid()), b) && SessionRules.inScope(b, cancel),
                            cancel.allowSuperusers(),
                            "pg_terminate_backend",
                            ActionSpec.CancelQueries.TERMINATE_BACKEND,
                            budget,
                            results);
                }
            } else {
                var idle = (ActionSpec.TerminateIdleInTransaction) action.spec();
                signal(
                        c,
                        action,
                        b -> SessionRules.inScope(b, idle),
                        idle.allowSuperusers(),
                        "pg_terminate_backend",
                        action.actionName(),
                        budget,
                        results);
            }
            if (results.isEmpty()) {
                results.add(EffectResult.of(
                        action, Outcome.NOOP, listing, null, null, "no session matched the step's filter", started));
            }
            return results;
        } catch (SQLException e) {
            // the connection itself failed: what was signalled so far is still reported
            connections.discard(action.targetId());
            results.add(EffectResult.failed(action, listing, "PostgreSQL: " + e.getMessage(), started));
            return results;
        }
    }

    private static boolean sameStatement(Backend before, Backend now) {
        return before != null
                && before.backendStart().equals(now.backendStart())
                && before.fingerprint().equals(now.fingerprint());
    }

    private List<Backend> signal(
            Connection c,
            PlannedAction action,
            Predicate<Backend> inScope,
            boolean allowSuperusers,
            String function,
            String actionName,
            Budget budget,
            List<EffectResult> results)
            throws SQLException {
        List<Backend> signalled = new ArrayList<>();
        for (Backend b : list(c)) {
            if (!inScope.test(b)) {
                continue;
            }
            Instant started = Instant.now();
            Command command = command(b, function);
            String subject = subject(b, function);
            String protectedBecause = SessionRules.protectedBecause(b, allowSuperusers, action.protection());
            String skip = protectedBecause != null ? protectedBecause : budget.left <= 0 ? budget.whyNone : null;
            if (skip != null) {
                results.add(new EffectResult(
                        subject,
                        actionName,
                        Outcome.SKIPPED,
                        command,
                        null,
                        null,
                        b.evidence(),
                        skip,
                        null,
                        0,
                        started,
                        Instant.now()));
                continue;
            }
            budget.left--;
            if (action.mode() == Mode.DRY_RUN) {
                results.add(new EffectResult(
                        subject,
                        actionName,
                        Outcome.DRY_RUN,
                        command,
                        state(b.state()),
                        null,
                        b.evidence(),
                        null,
                        null,
                        0,
                        started,
                        Instant.now()));
                continue;
            }
            EffectResult result = signal(c, b, function, actionName);
            if (result.sessionsSignalled() > 0) {
                signalled.add(b);
            }
            results.add(result);
        }
        return signalled;
    }

    /**
     * Signals {@code b} only while its pid still belongs to the backend listed; an error of this one signal (e.g. 42501,
     * a role the mitigator may not signal) is its own FAILED result and the connection is kept. Throws only when the
     * connection itself is lost.
     */
    static EffectResult signal(Connection c, Backend b, String function, String actionName) throws SQLException {
        Instant started = Instant.now();
        Command command = command(b, function);
        String subject = subject(b, function);
        Outcome outcome;
        String after;
        String reason = null;
        String error = null;
        try (PreparedStatement st = c.prepareStatement(command.text());
                ResultSet rs = st.executeQuery()) {
            if (!rs.next()) {
                outcome = Outcome.SKIPPED;
                after = "gone";
                reason = "backend gone or replaced since it was listed: not signalled";
            } else if (rs.getBoolean(1)) {
                outcome = Outcome.SUCCEEDED;
                after = "signalled";
            } else {
                outcome = Outcome.NOOP;
                after = "gone";
                reason = "backend " + b.pid() + " had already ended";
            }
        } catch (SQLException e) {
            if (lost(c, e)) {
                throw e;
            }
            outcome = Outcome.FAILED;
            after = null;
            error = "PostgreSQL " + e.getSQLState() + ": " + e.getMessage();
        }
        return new EffectResult(
                subject,
                actionName,
                outcome,
                command,
                state(b.state()),
                after == null ? null : state(after),
                b.evidence(),
                reason,
                error,
                outcome == Outcome.SUCCEEDED ? 1 : 0,
                started,
                Instant.now());
    }

    private static boolean lost(Connection c, SQLException e) throws SQLException {
        return (e.getSQLState() != null && e.getSQLState().startsWith("08")) || !c.isValid(2);
    }

    private static Command command(Backend b, String function) {
        return new Command("postgres", String.format(SIGNAL, function, b.pid(), b.backendStart()), "pid " + b.pid());
    }

    private static String subject(Backend b, String function) {
        return "pid-" + b.pid() + "-" + function;
    }

    private static List<Backend> list(Connection c) throws SQLException {
        List<Backend> backends = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(SESSIONS);
                ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                Array blockers = rs.getArray(13);
                List<Integer> blockedBy = blockers == null
                        ? List.of()
                        : Arrays.stream((Integer[]) blockers.getArray()).toList();
                backends.add(new Backend(
                        rs.getInt(1),
                        rs.getObject(2, OffsetDateTime.class),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getString(7),
                        rs.getBoolean(8),
                        rs.getLong(9),
                        rs.getLong(10),
                        rs.getLong(11),
                        rs.getString(12),
                        blockedBy));
            }
        }
        return backends;
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode state(String state) {
        return EventJson.mapper().createObjectNode().put("state", state);
    }

    private static void sleep(Duration grace) {
        try {
            Thread.sleep(grace.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Signals left this minute, shared by the cancel and the terminate pass of one action, and why none are. */
    private static final class Budget {
        int left;
        String whyNone = "budget: max-sessions-signalled-per-minute reached";

        Budget(int left) {
            this.left = left;
        }

        void stop(String why) {
            left = 0;
            whyNone = why;
        }
    }
}
