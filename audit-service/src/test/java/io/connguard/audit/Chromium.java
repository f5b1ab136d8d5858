package io.connguard.audit;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real headless Chromium (Debian's {@code chromium} package), run once per call with a fresh profile. The tests
 * fail, not skip, without it: the web page is only tested for real.
 */
final class Chromium {

    private static final List<String> FLAGS = List.of(
            "--headless",
            "--no-sandbox", // running as root in CI
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            // the page's fetches must finish before the DOM is dumped or the screenshot taken
            "--virtual-time-budget=5000");

    private Chromium() {}

    /** The DOM after the page's scripts ran. */
    static String dumpDom(String url) throws IOException, InterruptedException {
        return run(List.of("--dump-dom", url), null);
    }

    /** Takes a screenshot of the page at 1280x900 into {@code file}. */
    static void screenshot(String url, Path file) throws IOException, InterruptedException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.deleteIfExists(file);
        run(List.of("--screenshot=" + file.toAbsolutePath(), "--window-size=1280,900", url), file);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("chromium wrote no screenshot to " + file);
        }
    }

    private static String run(List<String> arguments, Path expected) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("connguard-chromium-");
        Path output = Files.createTempFile("connguard-chromium-", ".out");
        try {
            List<String> command = new ArrayList<>();
            command.add(executable());
            command.addAll(FLAGS);
            command.add("--user-data-dir=" + profile);
            command.addAll(arguments);
            Process process = new ProcessBuilder(command)
                    .redirectOutput(output.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("chromium did not finish within 60 s: " + command);
            }
            if (process.exitValue() != 0 && (expected == null || !Files.isRegularFile(expected))) {
                throw new IllegalStateException("chromium exited with " + process.exitValue() + ": " + command);
            }
            return Files.readString(output, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(output);
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    private static String executable() {
        for (String candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        throw new IllegalStateException(
                "The web page tests need a real Chromium and none was found at /usr/bin/chromium:"
                        + " install Debian's package with `apt-get install -y chromium` (.ci/run does it in CI).");
    }
}
