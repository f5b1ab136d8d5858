package io.connguard.drill;

import io.connguard.drill.scenario.Scenario;
import io.connguard.drill.scenario.Scenarios;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Starts the stack, injects a scenario, follows detect, mitigate, verify, restore on one line, then prints the times
 * and the postmortem. Exit code 0 only when the loop closed.
 */
@Command(
        name = "drill",
        mixinStandardHelpOptions = true,
        description =
                "Injects a connection-exhaustion incident into a simulated StarForge and lets connguard handle it.")
final class DrillCommand implements Callable<Integer> {

    @Option(
            names = "--scenario",
            defaultValue = "worker-storm",
            completionCandidates = Scenarios.Names.class,
            converter = Scenarios.Converter.class,
            paramLabel = "<name>",
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    Scenario incident;

    @Option(names = "--keep-running", description = "leave everything up afterwards and print the URLs")
    boolean keepRunning;

    @Option(
            names = "--timeout",
            paramLabel = "<duration>",
            defaultValue = "PT6M",
            description = "give up when the loop has not closed by then, ISO-8601 (default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Mixin
    PolicyOptions policy;

    @Mixin
    StackOptions stackOptions;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        DrillLogging.toFile(stackOptions.workDir().resolve("drill.log"));
        out.println("connguard drill: " + incident.name() + " - " + incident.description());
        Optional<Path> chosen = policy.file(stackOptions.workDir());
        out.println("Starting the stack (policy: " + policy.describe() + ")");
        LiveStack live;
        try {
            live = LiveStack.start(stackOptions, chosen, out);
        } catch (Exception e) {
            out.println("The stack did not start: " + e.getMessage());
            return Main.STACK_FAILED;
        }
        live.closeWithStack(incident);
        try {
            int exit = Drill.run(live, incident, timeout, out, System.console() != null)
                    .exitCode();
            if (keepRunning) {
                live.keepRunning();
            }
            return exit;
        } finally {
            live.close();
        }
    }
}
