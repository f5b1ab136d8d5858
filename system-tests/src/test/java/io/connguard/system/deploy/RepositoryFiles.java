package io.connguard.system.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/** Files of this repository, found from the test's working directory (the module, or the root). */
final class RepositoryFiles {

    private RepositoryFiles() {}

    /** The repository root: {@code connguard.repo.root} when set (failsafe), else the first parent holding mvnw. */
    static Path root() {
        String configured = System.getProperty("connguard.repo.root");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("deploy"))) {
                return dir;
            }
        }
        throw new IllegalStateException("Cannot find the repository root (a directory with mvnw and deploy/) above "
                + Path.of("").toAbsolutePath());
    }

    static Path resolve(String relative) {
        Path path = root().resolve(relative);
        if (!Files.exists(path)) {
            throw new IllegalStateException("Missing " + relative + " (looked at " + path + ")");
        }
        return path;
    }
}
