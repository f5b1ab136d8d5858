package io.connguard.infra.pgbouncer;

import io.connguard.infra.FreePorts;
import io.connguard.infra.postgres.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * A real PgBouncer (the {@code pgbouncer} binary, e.g. Debian's 1.18) in front of a {@link PostgresServer}, for tests
 * and the drill: a fresh directory with its ini and auth file, a free loopback port, {@code auth_type = trust}, every
 * database forwarded to the backend, the first configured user as admin of the {@code pgbouncer} admin console
 * ({@code SHOW POOLS}). PgBouncer refuses root, so a root JVM runs it as {@code postgres} (else {@code nobody}) through
 * {@code setpriv}. {@link #close()} stops it and deletes the directory; a JVM shutdown hook does the same.
 *
 * <p>{@code ignore_startup_parameters} lists what JDBC and the Vert.x client send at login that PgBouncer would
 * otherwise reject. pgjdbc can reach the admin console only with
 * {@code preferQueryMode=simple&replication=database}; the Vert.x client's simple queries work as they are.
 */
public final class PgBouncer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PgBouncer.class);
    private static final String HOST = "127.0.0.1";
    private static final Path BINARY_CANDIDATES_DIR = Path.of("/usr/sbin");
    private static final long READY_TIMEOUT_MS = 10_000;

    private final Process process;
    private final Path directory;
    private final int port;
    private final String adminUser;
    private final Thread shutdownHook;

    private PgBouncer(Process process, Path directory, int port, String adminUser) {
        this.process = process;
        this.directory = directory;
        this.port = port;
        this.adminUser = adminUser;
        this.shutdownHook = new Thread(this::stop, "connguard-pgbouncer-shutdown-" + port);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts PgBouncer in front of {@code backend}; returns once it accepts connections. */
    public static PgBouncer start(PostgresServer backend, PgBouncerOptions options) {
        long started = System.nanoTime();
        String binary = binary();
        Path directory = createDirectory();
        int port = options.port() == 0 ? FreePorts.pick() : options.port();
        try {
            Path ini = directory.resolve("pgbouncer.ini");
            Files.writeString(ini, ini(backend, options, port, directory));
            Files.writeString(
                    directory.resolve("users.txt"),
                    options.users().stream()
                            .map(u -> "\"" + u + "\" \"\"")
                            .collect(Collectors.joining("\n", "", "\n")));
            RunAs.current().ifPresent(user -> user.own(directory, ini, directory.resolve("users.txt")));
            List<String> command = new ArrayList<>();
            RunAs.current().ifPresent(user -> command.addAll(user.commandPrefix()));
            command.add(binary);
            command.add(ini.toString());
            Process process = new ProcessBuilder(command)
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(directory.resolve("pgbouncer.log").toFile())
                    .start();
            awaitReady(process, port, directory);
            PgBouncer pgBouncer =
                    new PgBouncer(process, directory, port, options.users().get(0));
            LOG.infof(
                    "PgBouncer ready at %s:%d in front of %s:%d (%s pooling, pool size %d) in %d ms",
                    HOST,
                    port,
                    backend.host(),
                    backend.port(),
                    options.poolMode(),
                    options.defaultPoolSize(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            return pgBouncer;
        } catch (IOException e) {
            deleteQuietly(directory);
            throw new UncheckedIOException("could not start PgBouncer in " + directory, e);
        } catch (RuntimeException e) {
            deleteQuietly(directory);
            throw e;
        }
    }

    static String ini(PostgresServer backend, PgBouncerOptions options, int port, Path directory) {
        return String.join(
                "\n",
                "[databases]",
                "* = host=" + backend.host() + " port=" + backend.port(),
                "[pgbouncer]",
                "listen_addr = " + HOST,
                "listen_port = " + port,
                "unix_socket_dir =",
                "auth_type = trust",
                "auth_file = " + directory.resolve("users.txt"),
                "admin_users = " + options.users().get(0),
                "stats_users = " + String.join(",", options.users()),
                "pool_mode = " + options.poolMode(),
                "default_pool_size = " + options.defaultPoolSize(),
                "max_client_conn = " + options.maxClientConn(),
                "ignore_startup_parameters = extra_float_digits,statement_timeout,lock_timeout,"
                        + "idle_in_transaction_session_timeout",
                // no log file: the process output goes to pgbouncer.log in the directory
                "");
    }

    private static String binary() {
        for (Path dir : Stream.concat(
                        Stream.of(BINARY_CANDIDATES_DIR),
                        Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                                .filter(p -> !p.isBlank())
                                .map(Path::of))
                .toList()) {
            Path candidate = dir.resolve("pgbouncer");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException("pgbouncer not found in /usr/sbin or PATH: apt-get install pgbouncer");
    }

    private static Path createDirectory() {
        try {
            // never under /root: the pgbouncer user must reach its files
            Path directory = Files.createTempDirectory(Path.of("/tmp"), "connguard-pgbouncer-");
            return directory;
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a directory for PgBouncer", e);
        }
    }

    private static void awaitReady(Process process, int port, Path directory) {
        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "PgBouncer exited with " + process.exitValue() + ":\n" + log(directory));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(HOST, port), 200);
                return;
            } catch (IOException notYet) {
                sleep();
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("PgBouncer did not listen on " + port + " within 10 s:\n" + log(directory));
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for PgBouncer", e);
        }
    }

    private static String log(Path directory) {
        try {
            return Files.readString(directory.resolve("pgbouncer.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    /** The admin console's admin (the first configured user). */
    public String adminUser() {
        return adminUser;
    }

    /** {@code jdbc:postgresql://host:port/database} through the pooler. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + HOST + ":" + port + "/" + database;
    }

    /** What PgBouncer printed so far, for test diagnostics. */
    public String log() {
        return log(directory);
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs stop() anyway; it is idempotent
        }
    }

    private synchronized void stop() {
        if (process.isAlive()) {
            // SIGTERM: PgBouncer closes every client and server connection at once
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        deleteQuietly(directory);
    }

    private static void deleteQuietly(Path directory) {
        if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            LOG.warnf(e, "could not delete %s", directory);
        }
    }
}
