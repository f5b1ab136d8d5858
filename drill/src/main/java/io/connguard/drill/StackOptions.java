package io.connguard.drill;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the repository (the packaged services) is and where the run's logs go. */
final class StackOptions {

    @Option(
            names = "--repo-root",
            defaultValue = "${sys:connguard.repo.root:-.}",
            description = "repository root holding the packaged services (default: ${DEFAULT-VALUE})")
    Path repoRoot;

    @Option(
            names = "--work-dir",
            description = "where the services' and the drill's logs go (default: <repo-root>/target/connguard-drill)")
    Path workDir;

    Path workDir() {
        return workDir != null ? workDir : repoRoot.resolve("target").resolve("connguard-drill");
    }

    /** The same repository with logs in {@code sub} below this work directory (one per benchmark run). */
    StackOptions below(String sub) {
        StackOptions copy = new StackOptions();
        copy.repoRoot = repoRoot;
        copy.workDir = workDir().resolve(sub);
        return copy;
    }
}
