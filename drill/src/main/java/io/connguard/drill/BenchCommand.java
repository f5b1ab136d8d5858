package io.connguard.drill;

import io.connguard.drill.observe.Milestones;
import io.connguard.drill.scenario.Scenario;
import io.connguard.drill.scenario.Scenarios;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The drill's benchmark: the same scenario N times, each on a fresh stack, then the median and worst time of each
 * milestone. Each run's full report goes to {@code <work-dir>/run-<n>/drill.out}.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Runs the drill several times on fresh stacks and prints median and worst of each milestone.")
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--runs", defaultValue = "5", description = "how many drills (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(
            names = "--scenario",
            defaultValue = "worker-storm",
            completionCandidates = Scenarios.Names.class,
            paramLabel = "<name>",
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    String scenario;

    @Option(names = "--timeout", defaultValue = "PT6M", description = "per run, ISO-8601 (default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Mixin
    PolicyOptions policy;

    @Mixin
    StackOptions stackOptions;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        DrillLogging.toFile(stackOptions.workDir().resolve("drill.log"));
        Optional<Path> chosen = policy.file(stackOptions.workDir());
        out.printf(
                "connguard bench: %d x %s, policy: %s, %d cores%n",
                runs, scenario, policy.describe(), Runtime.getRuntime().availableProcessors());
        Map<String, Function<Milestones, Optional<Duration>>> columns = new LinkedHashMap<>();
        columns.put("detected", Milestones::toDetected);
        columns.put("first action", Milestones::toFirstAction);
        columns.put("back under", Milestones::toBackUnder);
        columns.put("fully restored", Milestones::toFullyRestored);
        Map<String, List<Duration>> measured = new LinkedHashMap<>();
        columns.keySet().forEach(k -> measured.put(k, new ArrayList<>()));
        int closed = 0;
        for (int run = 1; run <= runs; run++) {
            StackOptions runOptions = stackOptions.below("run-" + run);
            Files.createDirectories(runOptions.workDir());
            Path report = runOptions.workDir().resolve("drill.out");
            Scenario incident = Scenarios.named(scenario);
            try (PrintStream file = new PrintStream(Files.newOutputStream(report), true)) {
                LiveStack live;
                try {
                    live = LiveStack.start(runOptions, chosen, file);
                } catch (Exception e) {
                    out.printf(
                            "  run %d: the stack did not start: %s%n",
                            run, e.getMessage().lines().findFirst().orElse(""));
                    continue;
                }
                try (live) {
                    live.closeWithStack(incident);
                    Drill.Result result = Drill.run(live, incident, timeout, file, false);
                    closed += result.exitCode() == 0 ? 1 : 0;
                    StringBuilder line = new StringBuilder(String.format("  run %d: exit %d", run, result.exitCode()));
                    columns.forEach((name, column) -> {
                        Optional<Duration> value = column.apply(result.milestones());
                        value.ifPresent(measured.get(name)::add);
                        line.append(", ")
                                .append(name)
                                .append(' ')
                                .append(value.map(BenchCommand::format).orElse("-"));
                    });
                    out.println(line + "   (" + report + ")");
                }
            }
        }
        out.printf("%nLoop closed in %d of %d runs. Seconds after onset:%n", closed, runs);
        out.printf("  %-16s %8s %8s %8s%n", "milestone", "median", "worst", "runs");
        measured.forEach((name, values) -> {
            values.sort(Comparator.naturalOrder());
            out.printf(
                    "  %-16s %8s %8s %8d%n",
                    name,
                    values.isEmpty() ? "-" : format(median(values)),
                    values.isEmpty() ? "-" : format(values.get(values.size() - 1)),
                    values.size());
        });
        return closed == runs ? 0 : Main.LOOP_OPEN;
    }

    static Duration median(List<Duration> sorted) {
        int n = sorted.size();
        return n % 2 == 1
                ? sorted.get(n / 2)
                : sorted.get(n / 2 - 1).plus(sorted.get(n / 2)).dividedBy(2);
    }

    private static String format(Duration d) {
        return String.format("%.1f", d.toMillis() / 1000.0);
    }
}
