package io.connguard.drill;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code connguard drill} and {@code connguard dev}: the whole loop on embedded infrastructure. */
@Command(
        name = "connguard",
        mixinStandardHelpOptions = true,
        subcommands = {DrillCommand.class, DevCommand.class, BenchCommand.class},
        description = "Runs connguard's whole loop locally: real Kafka, real PostgreSQL, the real services.")
public final class Main {

    /** Exit code when the loop did not close: something that had to happen did not. */
    public static final int LOOP_OPEN = 1;
    /** Exit code when the stack could not start. */
    public static final int STACK_FAILED = 3;

    public static void main(String[] args) {
        DrillLogging.install();
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (for callers that keep their JVM). */
    public static int run(String... args) {
        return new CommandLine(new Main())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .execute(args);
    }
}
