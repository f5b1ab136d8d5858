package io.connguard.detector.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The packaged service, started as an operator would with a broken configuration: it must exit, naming the key. */
class InvalidConfigurationIT {

    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

    @Test
    void startWithoutTargetsFails() throws Exception {
        Result result = start();
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.output()).contains("connguard.detector.targets").contains("no target configured");
    }

    @Test
    void startWithThresholdsOutOfOrderFails() throws Exception {
        Result result = start(
                "-Dconnguard.detector.targets.orders.host=127.0.0.1",
                "-Dconnguard.detector.targets.orders.user=probe",
                "-Dconnguard.detector.targets.orders.thresholds.elevated=0.9",
                "-Dconnguard.detector.targets.orders.thresholds.critical=0.85");
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.output())
                .contains("connguard.detector.targets.orders.thresholds")
                .contains("elevated (0.9) must not be above critical (0.85)");
    }

    @Test
    void startWithAnUnknownKeyFails() throws Exception {
        Result result = start(
                "-Dconnguard.detector.targets.orders.host=127.0.0.1",
                "-Dconnguard.detector.targets.orders.user=probe",
                "-Dconnguard.detector.targets.orders.sample-intervall=1s");
        assertThat(result.exitCode()).isNotZero();
        // SmallRye names the key and where it came from (here: system properties; else the file or env)
        assertThat(result.output())
                .contains("connguard.detector.targets.orders.sample-intervall in SysPropConfigSource")
                .contains("does not map to any root");
    }

    private record Result(int exitCode, String output) {}

    private static Result start(String... properties) throws IOException, InterruptedException {
        assertThat(JAR).as("packaged by the package phase").exists();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.http.port=0",
                // nothing listens there: the service must stop on its configuration before it needs Kafka
                "-Dkafka.bootstrap.servers=127.0.0.1:1"));
        command.addAll(List.of(properties));
        command.addAll(List.of("-jar", JAR.toString()));
        Path output = Files.createTempFile("detector-start", ".log");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the service kept running:\n" + Files.readString(output));
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
