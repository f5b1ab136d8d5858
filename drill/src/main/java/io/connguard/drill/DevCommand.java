package io.connguard.drill;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The drill's stack and services with no scenario, until Ctrl-C: for development and exploration. */
@Command(
        name = "dev",
        mixinStandardHelpOptions = true,
        description = "Starts the stack, the simulated StarForge and the three services, and keeps them running.")
final class DevCommand implements Callable<Integer> {

    @Mixin
    PolicyOptions policy;

    @Mixin
    StackOptions stackOptions;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        DrillLogging.toFile(stackOptions.workDir().resolve("drill.log"));
        out.println("connguard dev: starting the stack (policy: " + policy.describe() + ")");
        LiveStack live;
        try {
            live = LiveStack.start(stackOptions, policy.file(stackOptions.workDir()), out);
        } catch (Exception e) {
            out.println("The stack did not start: " + e.getMessage());
            return Main.STACK_FAILED;
        }
        try (live) {
            live.keepRunning();
            return 0;
        }
    }
}
