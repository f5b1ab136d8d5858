package io.connguard.drill;

import io.connguard.drill.observe.ConnectionGauge;
import io.connguard.drill.observe.LoopObserver;
import io.connguard.drill.observe.Milestones;
import io.connguard.drill.observe.ProgressLine;
import io.connguard.drill.stack.Stack;
import io.connguard.infra.process.ServiceProcess;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * A started {@link Stack} with the drill's observers (Kafka topics, pg_stat_activity) and a shutdown hook: Ctrl-C at
 * any moment stops every process and deletes the temporary data. {@link #close()} does the same without the hook.
 */
final class LiveStack implements AutoCloseable {

    /** The threshold "back under" refers to: the detector's default elevated ratio (the runbook's 80 % alert). */
    static final double THRESHOLD = 0.80;

    /** Detector settings for the drill: faster sampling and a short resolve time, so a drill takes minutes. */
    static final Map<String, String> DETECTOR = Map.of(
            "sample-interval", "500ms",
            "thresholds.hold-down", "2s",
            "thresholds.resolve-after", "10s");

    private final PrintStream out;
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final Thread hook;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Clock clock = Clock.systemUTC();
    private Stack stack;
    private Milestones milestones;
    private ConnectionGauge gauge;
    private LoopObserver observer;
    private volatile boolean closed;

    private LiveStack(PrintStream out) {
        this.out = out;
        hook = new Thread(this::interrupted, "connguard-drill-shutdown");
    }

    static LiveStack start(StackOptions options, Optional<Path> policy, PrintStream out) throws Exception {
        LiveStack live = new LiveStack(out);
        Runtime.getRuntime().addShutdownHook(live.hook);
        try {
            live.stack = Stack.start(new Stack.Options(options.repoRoot, options.workDir(), policy, DETECTOR), out);
            live.resources.push(live.stack);
            live.milestones = new Milestones(THRESHOLD);
            live.gauge = new ConnectionGauge(
                    live.stack.target().jdbcUrl(Stack.TARGET),
                    live.stack.target().superuser(),
                    live.milestones,
                    live.clock);
            live.resources.push(live.gauge);
            live.observer = new LoopObserver(live.stack.kafka().bootstrapServers(), Stack.TARGET, live.milestones);
            live.resources.push(live.observer);
            return live;
        } catch (Exception | Error e) {
            live.close();
            throw e;
        }
    }

    Stack stack() {
        return stack;
    }

    Milestones milestones() {
        return milestones;
    }

    ConnectionGauge gauge() {
        return gauge;
    }

    /** Events of the target the drill has read from Kafka. */
    long eventsSeen() {
        return observer.events();
    }

    Instant now() {
        return clock.instant();
    }

    /** Renders the progress line from the current state. */
    void render(ProgressLine line, double seconds) {
        synchronized (milestones) {
            line.render(
                    seconds,
                    milestones,
                    stack.workload().desired(),
                    stack.workload().ingestionEnabled(),
                    stack.workload().refusals());
        }
    }

    /** Closes this along with the stack (e.g. a scenario's own sessions). */
    void closeWithStack(AutoCloseable resource) {
        resources.push(resource);
    }

    /** Prints where everything listens, then blocks until Ctrl-C. */
    void keepRunning() throws InterruptedException {
        out.println();
        out.println("Everything keeps running. Explore it:");
        stack.endpoints().forEach((what, url) -> out.printf("  %-24s %s%n", what, url));
        Optional<String> incident;
        synchronized (milestones) {
            incident = milestones.incidentId();
        }
        incident.ifPresent(id -> {
            ServiceProcess audit = stack.service("audit-service");
            out.printf("  %-24s %s%n", "this drill's incident", audit.url("/incident.html?id=" + id));
            out.printf("  %-24s %s%n", "its postmortem", audit.url("/api/incidents/" + id + "/postmortem.md"));
        });
        out.println("Press Ctrl-C to stop every process and delete the temporary data.");
        stopped.await();
    }

    private void interrupted() {
        if (!closed) {
            out.println();
            out.println("Stopping: services, workload, Kubernetes API, PostgreSQL clusters, Kafka ...");
            closeResources();
            out.println("Stopped; temporary data deleted.");
        }
        stopped.countDown();
    }

    @Override
    public void close() {
        closeResources();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run: it closed everything already
        }
    }

    private synchronized void closeResources() {
        if (closed) {
            return;
        }
        closed = true;
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                out.println("  (stopping: " + e.getMessage() + ")");
            }
        }
    }
}
