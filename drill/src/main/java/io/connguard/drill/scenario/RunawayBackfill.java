package io.connguard.drill.scenario;

import io.connguard.drill.observe.Milestones;
import io.connguard.drill.stack.Stack;
import io.connguard.drill.stack.StarforgeCluster;
import io.connguard.drill.workload.Backfill;
import io.connguard.events.ActionEvent;
import io.connguard.events.Outcome;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The runbook's "runaway backfill": a backfill job opens long-running scans and sessions it leaves idle in a
 * transaction until the server is full, while a schema migration ({@code flyway}, protected by the default policy)
 * runs a long statement of its own. Mitigation must cancel the scans before it terminates anything, and must never
 * signal the migration's session.
 */
final class RunawayBackfill implements Scenario {

    static final String NAME = "runaway-backfill";
    static final String PROTECTED_APPLICATION = "flyway";
    // few enough that cancelling them leaves the server CRITICAL (53 of 55): the ladder must go on to terminate
    static final int SCANS = 2;
    // longer than the --quick policy's cancel min-duration (5 s) less its pause step's window (3 s)
    static final Duration SCANS_LEAD = Duration.ofSeconds(6);

    private Backfill backfill;
    private Connection migration;
    private int migrationPid;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "a backfill that has run " + SCANS + " endless scans for " + SCANS_LEAD.toSeconds() + " s leaves"
                + " sessions idle in transaction until the server is full; a flyway migration (protected) runs a long"
                + " statement alongside";
    }

    @Override
    public void prepare(Stack stack) throws SQLException, InterruptedException {
        // one worker replica: the ladder's scale-down step has nothing to take, so relief must come from the sessions
        stack.cluster().deploy(StarforgeCluster.ETL_WORKER, 1, Stack.WORKER_POOL);
        Properties p = new Properties();
        p.setProperty("user", Stack.APP_ROLE);
        p.setProperty("ApplicationName", PROTECTED_APPLICATION);
        migration = DriverManager.getConnection(stack.target().jdbcUrl(Stack.TARGET), p);
        try (Statement s = migration.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            migrationPid = rs.getInt(1);
        }
        Thread migrationThread = new Thread(
                () -> {
                    try (Statement s = migration.createStatement()) {
                        s.execute("SELECT pg_sleep(3600)"); // stands in for a long CREATE INDEX
                    } catch (SQLException endedByTheDrill) {
                        // closed at the end of the drill, or (a failure the checks report) signalled by connguard
                    }
                },
                "flyway-migration");
        migrationThread.setDaemon(true);
        migrationThread.start();
        // the job's scans have been running for a while when it starts leaking transactions: old enough for a cancel
        // step when the ladder gets there, so the drill shows cancel coming before terminate
        backfill = Backfill.startScans(stack.target().jdbcUrl(Stack.TARGET), Stack.APP_ROLE, SCANS);
        Thread.sleep(SCANS_LEAD.toMillis());
    }

    @Override
    public void inject(Stack stack) throws Exception {
        int ordinaryFree = stack.usableConnections()
                - 1 // the migration
                - stack.workload().desired().values().stream()
                        .mapToInt(StarforgeCluster.WorkloadSpec::connections)
                        .sum();
        backfill.leaveIdleInTransaction(ordinaryFree - SCANS);
    }

    @Override
    public List<String> problems(Stack stack, Milestones milestones) {
        List<String> problems = new ArrayList<>();
        List<ActionEvent> actions = milestones.actions();
        int firstCancel = indexOf(actions, "cancel-query");
        int firstTerminate =
                Math.min(indexOf(actions, "terminate-backend"), indexOf(actions, "terminate-idle-in-transaction"));
        if (firstCancel == Integer.MAX_VALUE) {
            problems.add("no long query was cancelled (no cancel-query action SUCCEEDED)");
        } else if (firstTerminate < firstCancel) {
            problems.add("a session was terminated before any query was cancelled");
        }
        if (!migrationAlive(stack)) {
            problems.add("the protected flyway session (pid " + migrationPid + ") was signalled");
        }
        if (mentionsMigration(actions)) {
            problems.add("an action names the protected flyway session's pid " + migrationPid);
        }
        return problems;
    }

    private static int indexOf(List<ActionEvent> actions, String action) {
        for (int i = 0; i < actions.size(); i++) {
            if (actions.get(i).action().equals(action) && actions.get(i).outcome() == Outcome.SUCCEEDED) {
                return i;
            }
        }
        return Integer.MAX_VALUE;
    }

    private boolean mentionsMigration(List<ActionEvent> actions) {
        String pid = Integer.toString(migrationPid);
        return actions.stream()
                .filter(a -> a.outcome() == Outcome.SUCCEEDED)
                .anyMatch(a -> a.command() != null && pid.equals(a.command().target()));
    }

    private boolean migrationAlive(Stack stack) {
        try (Connection c = DriverManager.getConnection(
                        stack.target().jdbcUrl(),
                        stack.target().superuser(),
                        stack.target().password());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE pid = " + migrationPid
                        + " AND state = 'active' AND application_name = '" + PROTECTED_APPLICATION + "'")) {
            rs.next();
            return rs.getInt(1) == 1;
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public List<String> outcome(Stack stack, Milestones milestones) {
        List<String> lines = new ArrayList<>();
        long cancels = count(milestones, "cancel-query");
        long terminations = count(milestones, "terminate-backend") + count(milestones, "terminate-idle-in-transaction");
        lines.add("backfill: " + backfill.cancelled() + " scans cancelled and gave up, " + backfill.terminated()
                + " terminated; connguard recorded " + cancels + " cancel and " + terminations
                + " terminate actions");
        lines.add("flyway migration pid " + migrationPid
                + (migrationAlive(stack) ? " untouched, still running" : " GONE"));
        return lines;
    }

    private static long count(Milestones milestones, String action) {
        return milestones.actions().stream()
                .filter(a -> a.action().equals(action) && a.outcome() == Outcome.SUCCEEDED)
                .count();
    }

    @Override
    public void close() {
        if (backfill != null) {
            backfill.close();
        }
        if (migration != null) {
            try {
                migration.close();
            } catch (SQLException ignored) {
                // the server may already be gone
            }
        }
    }
}
