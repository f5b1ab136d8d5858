package io.connguard.system.deploy;

import io.connguard.infra.postgres.PgBinaries;
import io.connguard.infra.postgres.PostgresServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs SQL files through {@code psql}, the way an operator applies deploy/sql: the scripts use psql's
 * {@code \gset}, {@code \if} and {@code -v} variables, which a JDBC driver does not understand.
 */
final class Psql {

    private final Path executable;

    private Psql(Path executable) {
        this.executable = executable;
    }

    /** psql next to the server binaries local-infra uses, else on the PATH; fails saying how to get one. */
    static Psql locate() {
        try {
            Path nextToServer = PgBinaries.locate().binDir().resolve("psql");
            if (Files.isExecutable(nextToServer)) {
                return new Psql(nextToServer);
            }
        } catch (RuntimeException e) {
            // no server binaries installed: look on the PATH
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir, "psql");
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return new Psql(candidate);
            }
        }
        throw new IllegalStateException(
                "psql not found next to the PostgreSQL binaries (PG_BIN) nor on the PATH: "
                        + "install the PostgreSQL client (Debian: apt-get install postgresql-client; .ci/run installs postgresql)");
    }

    /** Runs {@code file} as the server's superuser in {@code database}; fails with psql's output on any error. */
    String runFile(PostgresServer server, String database, Path file, Map<String, String> variables) {
        List<String> command = new ArrayList<>(List.of(
                executable.toString(),
                "--no-psqlrc",
                "-X",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                server.host(),
                "-p",
                Integer.toString(server.port()),
                "-U",
                server.superuser(),
                "-d",
                database));
        variables.forEach((name, value) -> {
            command.add("-v");
            command.add(name + "=" + value);
        });
        command.add("-f");
        command.add(file.toString());
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put("PGPASSWORD", server.password());
            Process process = builder.start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("psql -f " + file + " did not finish within 60 s:\n" + output);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(
                        "psql -f " + file + " exited with " + process.exitValue() + ":\n" + output);
            }
            return output;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run " + executable, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running psql", e);
        }
    }
}
