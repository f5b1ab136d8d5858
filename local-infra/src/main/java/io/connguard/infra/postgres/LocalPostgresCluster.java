package io.connguard.infra.postgres;

import io.connguard.infra.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * A throwaway PostgreSQL cluster run from local binaries: {@code initdb} into a fresh directory (under
 * {@code /dev/shm} when it has room, else {@code /tmp}; see {@value #PARENT_DIRECTORY_PROPERTY}), then
 * {@code pg_ctl start} on a free loopback port with the given {@link PostgresOptions}.
 *
 * <p>The binaries come from {@link PgBinaries#locate()}. PostgreSQL refuses to run as root, so when this JVM
 * is root every binary runs as {@code postgres} (or {@code nobody}) through {@code setpriv}, and the cluster
 * directory belongs to that user. Durability is traded for speed ({@code fsync}, {@code synchronous_commit} and
 * {@code full_page_writes} off): the data dies with the cluster anyway. {@link #close()} runs
 * {@code pg_ctl -m fast stop} and deletes the directory; a JVM shutdown hook does the same if nobody closes it.
 * A failed start reports the tail of the server log.
 */
public final class LocalPostgresCluster implements PostgresServer {

    /** A directory to create cluster directories in, instead of {@code /dev/shm} or {@code /tmp}. */
    public static final String PARENT_DIRECTORY_PROPERTY = "connguard.infra.postgres.parent-dir";

    private static final Logger LOG = Logger.getLogger(LocalPostgresCluster.class);
    private static final String HOST = "127.0.0.1";
    private static final String SUPERUSER = "postgres";
    private static final Path SHARED_MEMORY = Path.of("/dev/shm");
    private static final Path TEMP = Path.of("/tmp");
    // a cluster takes ~40 MiB plus WAL; a small /dev/shm (64 MiB in a default Docker container) would fill up
    private static final long SHARED_MEMORY_MINIMUM_BYTES = 2L * 1024 * 1024 * 1024;
    private static final int START_ATTEMPTS = 3;
    private static final int LOG_TAIL_LINES = 40;
    private static final String START_TIMEOUT_SECONDS = "60";

    private final PgBinaries binaries;
    private final Optional<ServerUser> user;
    private final Path directory;
    private final int port;
    private final PostgresOptions options;
    private final Thread shutdownHook;
    private final AtomicBoolean closed = new AtomicBoolean();
    // false between stop() and restart(): close() then has no server to stop, only the directory to delete
    private volatile boolean running = true;

    private LocalPostgresCluster(
            PgBinaries binaries, Optional<ServerUser> user, Path directory, int port, PostgresOptions options) {
        this.binaries = binaries;
        this.user = user;
        this.directory = directory;
        this.port = port;
        this.options = options;
        this.shutdownHook = new Thread(this::shutdown, "connguard-postgres-shutdown-" + port);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    public static LocalPostgresCluster start(PostgresOptions options) {
        return start(options, PgBinaries.locate());
    }

    /** Starts a cluster from the given binaries, e.g. {@link PgBinaries#fromZonkyJar()}. */
    public static LocalPostgresCluster start(PostgresOptions options, PgBinaries binaries) {
        long started = System.nanoTime();
        Optional<ServerUser> user = ServerUser.forThisJvm();
        Path directory = createDirectory(user);
        try {
            initdb(binaries, user, directory);
            int port = startServer(binaries, user, directory, options);
            LocalPostgresCluster cluster = new LocalPostgresCluster(binaries, user, directory, port, options);
            LOG.infof(
                    "PostgreSQL cluster ready at %s (max_connections=%d, %s) in %d ms",
                    cluster.jdbcUrl(),
                    options.maxConnections(),
                    binaries.binDir(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            return cluster;
        } catch (RuntimeException e) {
            deleteQuietly(directory);
            throw e;
        }
    }

    /** Settings that make a throwaway cluster fast; its data need not survive a crash. */
    static Map<String, String> durabilityShortcuts() {
        Map<String, String> shortcuts = new LinkedHashMap<>();
        shortcuts.put("fsync", "off");
        shortcuts.put("synchronous_commit", "off");
        shortcuts.put("full_page_writes", "off");
        return shortcuts;
    }

    private static Path createDirectory(Optional<ServerUser> user) {
        try {
            // a short path the server user can reach: the Unix socket lives here (paths over ~100 bytes fail) and
            // every directory above it must be enterable by that user (so never under /root)
            Path directory = Files.createTempDirectory(parentDirectory(), "connguard-pg-");
            user.ifPresent(u -> u.own(directory));
            return directory;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create a directory for a PostgreSQL cluster", e);
        }
    }

    /** tmpfs when there is room: initdb there takes ~0.35 s instead of ~1.4 s on this project's machines. */
    static Path parentDirectory() {
        String configured = System.getProperty(PARENT_DIRECTORY_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured.trim());
        }
        try {
            if (Files.isDirectory(SHARED_MEMORY)
                    && Files.isWritable(SHARED_MEMORY)
                    && Files.getFileStore(SHARED_MEMORY).getUsableSpace() >= SHARED_MEMORY_MINIMUM_BYTES) {
                return SHARED_MEMORY;
            }
        } catch (IOException e) {
            LOG.debugf(e, "Cannot inspect %s; using %s", SHARED_MEMORY, TEMP);
        }
        return TEMP;
    }

    private static void initdb(PgBinaries binaries, Optional<ServerUser> user, Path directory) {
        onDataDirectory(
                binaries,
                user,
                directory,
                "initdb",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
                "-U",
                SUPERUSER);
    }

    /** Runs {@code binary -D <data directory> arguments...} as the server user. */
    private static void onDataDirectory(
            PgBinaries binaries, Optional<ServerUser> user, Path directory, String binary, String... arguments) {
        List<String> command = new ArrayList<>(List.of(
                binaries.binary(binary).toString(),
                "-D",
                dataDirectory(directory).toString()));
        command.addAll(List.of(arguments));
        PgCommand.run(user, directory, command);
    }

    /** Starts the server on a free port; picks another port if one was taken between choosing and binding. */
    private static int startServer(
            PgBinaries binaries, Optional<ServerUser> user, Path directory, PostgresOptions options) {
        for (int attempt = 1; ; attempt++) {
            int port = FreePorts.pick();
            try {
                pgCtlStart(binaries, user, directory, options, port);
                return port;
            } catch (RuntimeException e) {
                String logTail = logTail(directory);
                if (attempt < START_ATTEMPTS && logTail.contains("could not bind")) {
                    LOG.warnf("Port %d was taken before PostgreSQL could bind it; retrying", port);
                    continue;
                }
                throw new IllegalStateException(
                        "PostgreSQL did not start in " + directory + ": " + e.getMessage()
                                + "\n--- server log tail ---\n" + logTail,
                        e);
            }
        }
    }

    private static void pgCtlStart(
            PgBinaries binaries, Optional<ServerUser> user, Path directory, PostgresOptions options, int port) {
        onDataDirectory(
                binaries,
                user,
                directory,
                "pg_ctl",
                "-l",
                serverLog(directory).toString(),
                "-w",
                "-t",
                START_TIMEOUT_SECONDS,
                "-o",
                serverOptions(port, directory, options),
                "start");
    }

    /** The {@code -o} string pg_ctl passes through a shell to postgres, so every value is quoted. */
    static String serverOptions(int port, Path directory, PostgresOptions options) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("listen_addresses", HOST);
        parameters.put("unix_socket_directories", directory.toString());
        parameters.putAll(durabilityShortcuts());
        parameters.putAll(options.serverParameters());
        List<String> arguments = new ArrayList<>(List.of("-p", String.valueOf(port)));
        parameters.forEach((name, value) -> {
            arguments.add("-c");
            arguments.add(PgCommand.shellQuote(name + "=" + value));
        });
        return String.join(" ", arguments);
    }

    @Override
    public String host() {
        return HOST;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String superuser() {
        return SUPERUSER;
    }

    /** Empty: the cluster trusts every local connection. */
    @Override
    public String password() {
        return "";
    }

    @Override
    public int maxConnections() {
        return options.maxConnections();
    }

    public PostgresOptions options() {
        return options;
    }

    public PgBinaries binaries() {
        return binaries;
    }

    /** The cluster's directory (data, server log, Unix socket); deleted by {@link #close()}. */
    public Path directory() {
        return directory;
    }

    /** The server log, useful when a test needs to know what the server saw. */
    public Path serverLog() {
        return serverLog(directory);
    }

    /**
     * Stops the server ({@code pg_ctl -m fast stop}: open sessions are disconnected) and keeps its data, to inject an
     * outage; {@link #restart()} brings it back. Clients then get "connection refused" on {@link #port()}.
     */
    public synchronized void stop() {
        if (closed.get()) {
            throw new IllegalStateException(this + " is closed");
        }
        pgCtlStop("fast");
        running = false;
        LOG.infof("PostgreSQL at port %d stopped (data kept)", port);
    }

    /** Starts the server stopped by {@link #stop()} again, on the same port, from the same data directory. */
    public synchronized void restart() {
        if (closed.get()) {
            throw new IllegalStateException(this + " is closed");
        }
        try {
            pgCtlStart(binaries, user, directory, options, port);
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "PostgreSQL did not restart on port " + port + ": " + e.getMessage() + "\n--- server log tail ---\n"
                            + logTail(directory),
                    e);
        }
        running = true;
        LOG.infof("PostgreSQL at port %d started again", port);
    }

    @Override
    public void close() {
        shutdown();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or about to; shutdown() is idempotent
        }
    }

    private void shutdown() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long started = System.nanoTime();
        if (!running) {
            deleteQuietly(directory);
            return;
        }
        try {
            pgCtlStop("fast");
        } catch (RuntimeException e) {
            LOG.warnf("PostgreSQL at port %d did not stop fast, stopping immediately: %s", port, e.getMessage());
            try {
                pgCtlStop("immediate");
            } catch (RuntimeException again) {
                LOG.errorf("PostgreSQL at port %d could not be stopped: %s", port, again.getMessage());
            }
        }
        deleteQuietly(directory);
        LOG.debugf(
                "PostgreSQL at port %d stopped in %d ms",
                port, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private void pgCtlStop(String mode) {
        onDataDirectory(binaries, user, directory, "pg_ctl", "-m", mode, "-w", "stop");
    }

    private static Path dataDirectory(Path directory) {
        return directory.resolve("data");
    }

    private static Path serverLog(Path directory) {
        return directory.resolve("server.log");
    }

    private static String logTail(Path directory) {
        Path log = serverLog(directory);
        try {
            if (!Files.exists(log)) {
                return "(no server log at " + log + ")";
            }
            List<String> lines = new String(Files.readAllBytes(log), StandardCharsets.UTF_8)
                    .lines()
                    .toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(server log unreadable: " + e.getMessage() + ")";
        }
    }

    private static void deleteQuietly(Path directory) {
        try {
            Directories.deleteRecursively(directory);
        } catch (IOException e) {
            LOG.warnf(e, "Could not delete %s", directory);
        }
    }

    @Override
    public String toString() {
        return "local PostgreSQL cluster at " + HOST + ":" + port + " in " + directory;
    }
}
