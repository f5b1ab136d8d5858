package io.connguard.infra.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Runs a PostgreSQL binary (as the {@link ServerUser} when there is one) and returns what it printed. */
final class PgCommand {

    private PgCommand() {}

    static String run(Optional<ServerUser> user, Path workingDirectory, List<String> command) {
        List<String> full = new ArrayList<>();
        user.ifPresent(u -> full.addAll(u.commandPrefix()));
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full)
                // the server user must be able to resolve its working directory (initdb calls getcwd)
                .directory(workingDirectory.toFile())
                .redirectErrorStream(true);
        // PGDATA, PGPORT and friends from the caller's environment must not redirect the tools
        builder.environment().keySet().removeIf(name -> name.startsWith("PG"));
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int exit = process.waitFor();
            if (exit != 0) {
                throw new PgCommandException(full, exit, output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not run " + String.join(" ", full), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + String.join(" ", full), e);
        }
    }

    /** Quotes one argument for the POSIX shell that pg_ctl hands its {@code -o} options to. */
    static String shellQuote(String argument) {
        return "'" + argument.replace("'", "'\"'\"'") + "'";
    }

    static final class PgCommandException extends IllegalStateException {
        PgCommandException(List<String> command, int exit, String output) {
            super(String.join(" ", command) + " exited with " + exit + ":\n" + output.strip());
        }
    }
}
