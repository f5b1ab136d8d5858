package io.connguard.drill;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The {@code --quick} policy: the default ladder with windows of seconds, bundled in the drill's jar. */
final class QuickPolicy {

    static final String SUMMARY = "default ladder, 3 s verification windows and soaks";
    private static final String RESOURCE = "quick-policy.yaml";

    private QuickPolicy() {}

    /** Writes the policy into {@code dir} (the mitigator reads a file) and returns its path. */
    static Path writeTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(RESOURCE);
        try (InputStream in = QuickPolicy.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the drill's jar");
            }
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }
}
