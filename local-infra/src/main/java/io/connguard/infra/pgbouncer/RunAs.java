package io.connguard.infra.pgbouncer;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The unprivileged account PgBouncer runs as when this JVM is root (PgBouncer refuses root). */
record RunAs(String name, int uid, int gid) {

    private static final List<String> CANDIDATES = List.of("postgres", "nobody");

    static Optional<RunAs> current() {
        if (new UnixSystem().getUid() != 0) {
            return Optional.empty();
        }
        try {
            List<String> passwd = Files.readAllLines(Path.of("/etc/passwd"));
            for (String candidate : CANDIDATES) {
                for (String line : passwd) {
                    String[] fields = line.split(":");
                    if (fields.length > 3 && fields[0].equals(candidate)) {
                        return Optional.of(
                                new RunAs(candidate, Integer.parseInt(fields[2]), Integer.parseInt(fields[3])));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /etc/passwd to find a non-root user for PgBouncer", e);
        }
        throw new IllegalStateException("PgBouncer refuses root and neither of " + CANDIDATES + " exists");
    }

    List<String> commandPrefix() {
        return List.of("setpriv", "--reuid=" + name, "--regid=" + gid, "--init-groups", "--");
    }

    void own(Path... paths) {
        for (Path path : paths) {
            try {
                Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(path, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot give " + path + " to " + name, e);
            }
        }
    }
}
