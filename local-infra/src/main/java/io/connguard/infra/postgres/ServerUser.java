package io.connguard.infra.postgres;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The unprivileged account PostgreSQL binaries run as when this JVM is root: initdb and postgres refuse to
 * run as root, so every command is prefixed with {@code setpriv} and the files it writes are handed over.
 */
record ServerUser(String name, int uid, int gid) {

    private static final Path PASSWD = Path.of("/etc/passwd");
    private static final List<String> CANDIDATES = List.of("postgres", "nobody");

    /** The account to switch to, or empty when this JVM is not root and binaries can run as it is. */
    static Optional<ServerUser> forThisJvm() {
        if (new UnixSystem().getUid() != 0) {
            return Optional.empty();
        }
        List<String> passwd;
        try {
            passwd = Files.readAllLines(PASSWD);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + PASSWD + " to find a non-root user for PostgreSQL", e);
        }
        for (String candidate : CANDIDATES) {
            for (String line : passwd) {
                String[] fields = line.split(":");
                if (fields.length > 3 && fields[0].equals(candidate)) {
                    return Optional.of(
                            new ServerUser(candidate, Integer.parseInt(fields[2]), Integer.parseInt(fields[3])));
                }
            }
        }
        throw new IllegalStateException("PostgreSQL refuses to run as root and neither of the users " + CANDIDATES
                + " exists: create one (useradd postgres) or run the JVM as a non-root user");
    }

    List<String> commandPrefix() {
        return List.of("setpriv", "--reuid=" + name, "--regid=" + gid, "--init-groups", "--");
    }

    /** Makes the user the owner of {@code path}, so the server can write there. */
    void own(Path path) {
        try {
            Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(path, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot give " + path + " to user " + name, e);
        }
    }
}
