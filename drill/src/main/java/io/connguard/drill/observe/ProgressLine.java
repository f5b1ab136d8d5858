package io.connguard.drill.observe;

import io.connguard.drill.stack.StarforgeCluster.WorkloadSpec;
import io.connguard.events.ActionEvent;
import java.io.PrintStream;
import java.util.Map;

/**
 * The drill's live status on ONE terminal line, rewritten in place ({@code \r}) on a terminal. Without a terminal
 * (CI, a pipe) it prints a new line when something other than the clock changed, at most every 2 s, and at least every 15 s.
 */
public final class ProgressLine {

    private static final int BAR = 20;

    private final PrintStream out;
    private final boolean terminal;
    private String lastState = "";
    private long lastPrinted;

    public ProgressLine(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Renders the current state; {@code seconds} is the time since onset (negative before it). */
    public void render(
            double seconds, Milestones m, Map<String, WorkloadSpec> workloads, boolean ingestion, long refusals) {
        String content = content(m, workloads, ingestion, refusals);
        // the refusal counter climbs all through a storm: it alone does not earn a new line
        String state = content(m, workloads, ingestion, 0);
        String line = String.format("%6.1fs %s", seconds, content);
        if (terminal) {
            out.print("\r" + line + "\033[K");
            out.flush();
        } else if (!state.equals(lastState) && System.nanoTime() - lastPrinted > 2_000_000_000L
                || System.nanoTime() - lastPrinted > 15_000_000_000L) {
            out.println(line);
            lastState = state;
            lastPrinted = System.nanoTime();
        }
    }

    /** Ends the line so that what follows starts on a fresh one. */
    public void finish() {
        if (terminal) {
            out.println();
        }
    }

    static String content(Milestones m, Map<String, WorkloadSpec> workloads, boolean ingestion, long refusals) {
        int usable = Math.max(1, m.usable());
        double ratio = (double) m.connections() / usable;
        int filled = (int) Math.round(Math.min(1.0, ratio) * BAR);
        StringBuilder s = new StringBuilder();
        s.append(String.format("%2d/%d ", m.connections(), m.usable()));
        s.append('[')
                .append("#".repeat(filled))
                .append(".".repeat(BAR - filled))
                .append(']');
        s.append(String.format(" %3.0f%% %-8s", ratio * 100, m.level()));
        StringBuilder cluster = new StringBuilder();
        workloads
                .values()
                .forEach(w -> cluster.append(' ')
                        .append(w.name())
                        .append(' ')
                        .append(w.replicas())
                        .append('x')
                        .append(w.poolMax()));
        s.append(" |").append(cluster).append(", ingestion ").append(ingestion ? "on" : "paused");
        if (refusals > 0) {
            s.append(", refused ").append(refusals);
        }
        s.append(" | last action: ")
                .append(m.lastAction().map(ProgressLine::describe).orElse("-"));
        return s.toString();
    }

    private static String describe(ActionEvent a) {
        String target = a.command() == null || a.command().target() == null
                ? ""
                : " " + a.command().target();
        return a.action() + target + " " + a.outcome();
    }
}
