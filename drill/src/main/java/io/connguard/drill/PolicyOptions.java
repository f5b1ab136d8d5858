package io.connguard.drill;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** Which mitigation policy the mitigator runs: its shipped default, {@code --quick}, or a file. */
final class PolicyOptions {

    @ArgGroup(exclusive = true)
    Choice choice;

    static final class Choice {
        @Option(names = "--policy", description = "mitigation policy YAML (default: the mitigator's shipped default)")
        Path file;

        @Option(
                names = "--quick",
                description = "the default ladder with verification windows and soaks of seconds: the whole loop,"
                        + " restore included, in about a minute")
        boolean quick;
    }

    /** The policy file to hand the mitigator; empty for its shipped default. */
    Optional<Path> file(Path workDir) throws IOException {
        if (choice == null) {
            return Optional.empty();
        }
        return choice.quick ? Optional.of(QuickPolicy.writeTo(workDir)) : Optional.of(choice.file);
    }

    String describe() {
        if (choice == null) {
            return "the mitigator's shipped default";
        }
        return choice.quick ? "quick, " + QuickPolicy.SUMMARY : choice.file.toString();
    }
}
