package io.connguard.detector.probe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Resolves a configured password: the file (a mounted Secret, read at each connection so rotation works) wins. */
final class Passwords {

    private Passwords() {}

    static Optional<String> resolve(Optional<Path> file, Optional<String> password) {
        if (file.isPresent()) {
            try {
                return Optional.of(Files.readString(file.get()).strip());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read password file " + file.get(), e);
            }
        }
        return password;
    }
}
