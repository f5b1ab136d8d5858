package io.connguard.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.connguard.infra.process.ServiceProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The end-to-end test of the whole system: {@code connguard drill --quick} as a user runs it (the packaged drill jar as
 * its own JVM, which starts Kafka, PostgreSQL, the simulated cluster and the three packaged services). A worker storm
 * must be detected and acted on within seconds, connections must come back under the threshold within 15 s of onset,
 * the audit service's postmortem must list what the mitigator did, and the loop must close with the workers restored
 * only up to the highest count that keeps pressure under the threshold, saying so. A runaway backfill must close the
 * whole loop: scans cancelled before idle-in-transaction sessions are terminated, the protected migration untouched,
 * everything restored.
 */
class DrillIT {

    private static final Path ROOT = Path.of(System.getProperty(ServiceProcess.REPO_ROOT_PROPERTY, ".."));

    @Test
    void aWorkerStormIsMitigatedWithinFifteenSecondsAndRestoredOnlyAsFarAsIsSafe() throws Exception {
        Path output = Path.of("target", "drill-it", "worker-storm", "drill.out").toAbsolutePath();
        Process drill = run(output, "--scenario", "worker-storm", "--quick", "--timeout", "PT60S");
        String report = Files.readString(output);

        assertThat(drill.exitValue()).as(report).isZero();
        assertThat(report)
                .contains("LOOP CLOSED")
                .containsPattern("fully restored +\\+\\d+\\.\\d s")
                // restoring the deploy's 6 x 10 connections would recreate the storm: it stops at a safe count
                .containsPattern("restore-workload REVERTED: PUT apps/v1 deployments/etl-worker/scale "
                        + "\\{\"spec\":\\{\"replicas\":[1-4]\\}\\} - restored etl-worker to [1-4] of 6: [2-5] would reach "
                        + "ratio \\d\\.\\d\\d \\(ceiling 0\\.70");

        assertThat(seconds(report, "detected \\(event on Kafka\\)")).as(report).isLessThanOrEqualTo(3.0);
        assertThat(seconds(report, "first action")).as(report).isLessThanOrEqualTo(5.0);
        assertThat(seconds(report, "back under the threshold")).as(report).isLessThanOrEqualTo(15.0);
        // the audit service's postmortem lists the commands the mitigator ran
        assertThat(report)
                .contains("# Postmortem draft")
                .containsPattern("pause-ingestion .*SUCCEEDED")
                .containsPattern("scale-workload .*SUCCEEDED");
    }

    @Test
    void aRunawayBackfillIsCancelledThenTerminatedAroundTheProtectedMigrationAndTheLoopCloses() throws Exception {
        Path output =
                Path.of("target", "drill-it", "runaway-backfill", "drill.out").toAbsolutePath();
        Process drill = run(output, "--scenario", "runaway-backfill", "--quick", "--timeout", "PT90S");
        String report = Files.readString(output);

        // transactions still younger than the terminate step's bound when it first runs are caught by a later sweep
        assertThat(drill.exitValue()).as(report).isZero();
        assertThat(report)
                .contains("LOOP CLOSED")
                .containsPattern(
                        "cancel-query \\| `SELECT pg_cancel_backend\\(pid\\) FROM pg_stat_activity WHERE pid = \\d+ AND backend_start = [^`]+`.*\\| SUCCEEDED")
                .containsPattern(
                        "`SELECT pg_cancel_backend\\(pid\\) FROM pg_stat_activity WHERE pid = \\d+ [^`]+`.*\\| SKIPPED .*protected: application flyway")
                .containsPattern(
                        "`SELECT pg_terminate_backend\\(pid\\) FROM pg_stat_activity WHERE pid = \\d+ [^`]+`.*\\| SUCCEEDED")
                .contains("untouched, still running");
        assertThat(report.indexOf("pg_cancel_backend"))
                .as("cancelled before terminating")
                .isLessThan(report.indexOf("pg_terminate_backend"));
        assertThat(seconds(report, "back under the threshold")).as(report).isLessThanOrEqualTo(45.0);
    }

    /** Runs the drill to its end and returns the finished process; its report is in {@code output}. */
    private static Process run(Path output, String... args) throws Exception {
        Process drill = drill(output, args);
        try {
            assertThat(drill.waitFor(150, TimeUnit.SECONDS))
                    .as("the drill ends by itself")
                    .isTrue();
        } finally {
            drill.destroy(); // SIGTERM: the drill's shutdown hook stops its services and deletes its data
            drill.waitFor(30, TimeUnit.SECONDS);
        }
        return drill;
    }

    /** The seconds after onset the drill's report gives for a milestone; fails when it did not happen. */
    private static double seconds(String report, String milestone) {
        Matcher m =
                Pattern.compile("(?m)^  " + milestone + " +\\+(\\d+\\.\\d) s$").matcher(report);
        assertThat(m.find()).as(milestone + " in\n" + report).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static Process drill(Path output, String... args) throws IOException {
        Path jar = ROOT.resolve("drill/target/connguard-drill.jar");
        assertThat(jar)
                .as("package the drill first (./mvnw -DskipTests install)")
                .exists();
        Files.createDirectories(output.getParent());
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-D" + ServiceProcess.REPO_ROOT_PROPERTY + "="
                        + ROOT.toAbsolutePath().normalize(),
                "-jar",
                jar.toString(),
                "drill",
                "--work-dir",
                output.getParent().toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
    }
}
