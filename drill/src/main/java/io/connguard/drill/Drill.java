package io.connguard.drill;

import io.connguard.drill.observe.Milestones;
import io.connguard.drill.observe.ProgressLine;
import io.connguard.drill.report.AuditClient;
import io.connguard.drill.report.EventTimeline;
import io.connguard.drill.scenario.Scenario;
import io.connguard.drill.stack.Stack;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One drill on a started {@link LiveStack}: prepares the scenario, waits for a steady baseline, injects the incident,
 * follows detect, mitigate, verify, restore on one line, then reports the times, the scenario's checks and the
 * postmortem. The loop is closed when every milestone happened, nothing relapsed and the scenario's checks pass, and
 * stayed so for {@link #STABLE}.
 */
final class Drill {

    // after everything looks done, keep watching this long: a restore that recreates the storm shows up within it
    private static final Duration STABLE = Duration.ofSeconds(10);
    private static final Duration BASELINE_TIMEOUT = Duration.ofSeconds(30);
    // the default policy's first step acts at once on ELEVATED: a minute without any action means none is coming
    private static final Duration FIRST_ACTION_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration AUDIT_CATCH_UP = Duration.ofSeconds(15);

    private Drill() {}

    /** What one drill measured. */
    record Result(int exitCode, Milestones milestones) {}

    static Result run(LiveStack live, Scenario incident, Duration timeout, PrintStream out, boolean terminal)
            throws Exception {
        Stack stack = live.stack();
        Milestones m = live.milestones();
        ProgressLine line = new ProgressLine(out, terminal);
        incident.prepare(stack);
        awaitBaseline(live, line);

        Instant onset = live.now();
        synchronized (m) {
            m.onset(onset);
        }
        incident.inject(stack);
        line.finish();
        out.println("Onset: " + incident.description());

        Instant deadline = onset.plus(timeout);
        Instant settledSince = null;
        while (live.now().isBefore(deadline)) {
            live.render(line, seconds(onset, live.now()));
            Thread.sleep(200);
            boolean loopClosed;
            synchronized (m) {
                if (m.toDetected().isPresent()
                        && m.toFirstAction().isEmpty()
                        && Duration.between(onset.plus(m.toDetected().get()), live.now())
                                        .compareTo(FIRST_ACTION_TIMEOUT)
                                > 0) {
                    break; // no mitigation is coming
                }
                loopClosed = m.toBackUnder().isPresent()
                        && m.toFullyRestored().isPresent()
                        && m.relapse().isEmpty();
            }
            if (loopClosed && incident.problems(stack, m).isEmpty()) {
                settledSince = settledSince == null ? live.now() : settledSince;
                if (Duration.between(settledSince, live.now()).compareTo(STABLE) >= 0) {
                    break;
                }
            } else {
                settledSince = null;
            }
        }
        line.finish();
        return new Result(report(live, incident, onset, out), m);
    }

    private static void awaitBaseline(LiveStack live, ProgressLine line) throws InterruptedException {
        Instant started = live.now();
        int last = -1;
        Instant steadySince = started;
        while (Duration.between(started, live.now()).compareTo(BASELINE_TIMEOUT) < 0) {
            live.render(line, -1 * seconds(started, live.now()));
            int connections = live.milestones().connections();
            if (connections != last) {
                last = connections;
                steadySince = live.now();
            } else if (connections > 0
                    && Duration.between(steadySince, live.now()).toMillis() >= 2000) {
                return;
            }
            Thread.sleep(250);
        }
    }

    private static int report(LiveStack live, Scenario incident, Instant onset, PrintStream out) throws Exception {
        Stack stack = live.stack();
        Milestones m = live.milestones();
        List<String> missing = new ArrayList<>();
        List<String> scenarioLines;
        String incidentId;
        synchronized (m) {
            out.println();
            out.println("Times since onset");
            row(
                    out,
                    "detected (event on Kafka)",
                    m.toDetected(),
                    missing,
                    "the detector published no ELEVATED/CRITICAL event");
            row(
                    out,
                    "connections at the threshold",
                    m.toReachedThreshold(),
                    missing,
                    "connections never reached " + Math.round(m.threshold() * 100) + " % of capacity");
            row(
                    out,
                    "first action",
                    m.toFirstAction(),
                    missing,
                    "the mitigator took no mitigation action"
                            + m.lastAction()
                                    .map(a -> " (last decision: " + a.action() + " " + a.outcome()
                                            + (a.reason() == null ? "" : ", " + a.reason()) + ")")
                                    .orElse(""));
            row(
                    out,
                    "back under the threshold",
                    m.toBackUnder(),
                    missing,
                    "connections did not fall back under " + Math.round(m.threshold() * 100) + " %");
            row(out, "incident resolved", m.toIncidentResolved(), missing, "the incident did not resolve");
            row(
                    out,
                    "fully restored",
                    m.toFullyRestored(),
                    missing,
                    "not everything was restored"
                            + (m.outstandingChanges().isEmpty() ? "" : ": still changed " + m.outstandingChanges()));
            m.relapse()
                    .ifPresent(at -> missing.add("connections went back over the threshold at "
                            + format(Duration.between(onset, at)) + " (relapse)"));
            incidentId = m.incidentId().orElse(null);
        }
        missing.addAll(incident.problems(stack, m));
        scenarioLines = incident.outcome(stack, m);
        out.println();
        scenarioLines.forEach(l -> out.println("  " + l));

        out.println();
        AuditClient audit = new AuditClient(stack.service("audit-service").url("/"), stack.operatorToken());
        awaitAudit(audit, live.eventsSeen(), out);
        Optional<String> postmortem = incidentId == null ? Optional.empty() : audit.postmortem(incidentId);
        if (postmortem.isPresent()) {
            out.println(postmortem.get());
        } else {
            out.println(EventTimeline.markdown(Stack.TARGET, audit.events(Stack.TARGET), onset));
        }

        out.println();
        if (missing.isEmpty()) {
            out.println("LOOP CLOSED: detected, mitigated, verified and restored.");
            return 0;
        }
        out.println("LOOP NOT CLOSED:");
        missing.forEach(what -> out.println("  - " + what));
        out.println("Logs: " + stack.service("mitigator-service").log().getParent());
        return Main.LOOP_OPEN;
    }

    // the audit service stores asynchronously: give it time to catch up with what the drill read from Kafka
    private static void awaitAudit(AuditClient audit, long seen, PrintStream out) throws Exception {
        long deadline = System.nanoTime() + AUDIT_CATCH_UP.toNanos();
        int stored = audit.events(Stack.TARGET).size();
        while (stored < seen && System.nanoTime() < deadline) {
            Thread.sleep(250);
            stored = audit.events(Stack.TARGET).size();
        }
        if (stored < seen) {
            out.printf("(the audit service has stored %d of the %d events on Kafka so far)%n", stored, seen);
        }
    }

    private static void row(
            PrintStream out, String what, Optional<Duration> at, List<String> missing, String ifMissing) {
        out.printf("  %-30s %s%n", what, at.map(Drill::format).orElse("-  (did not happen)"));
        if (at.isEmpty()) {
            missing.add(ifMissing);
        }
    }

    private static String format(Duration d) {
        return String.format("%+.1f s", d.toMillis() / 1000.0);
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toMillis() / 1000.0;
    }
}
