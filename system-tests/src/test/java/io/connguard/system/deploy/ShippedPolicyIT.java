package io.connguard.system.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The policy each overlay ships, exactly as the mitigator pod reads it from its ConfigMap, passes the packaged
 * mitigator's own validator ({@code quarkus-run.jar validate}): a bad policy would otherwise surface only as a
 * pod that does not start after {@code kubectl apply}.
 */
class ShippedPolicyIT {

    @TempDir
    Path dir;

    static List<String> overlays() {
        return Kustomize.overlays();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void theOverlaysPolicyIsValid(String overlay) throws Exception {
        String policy = Kustomize.objects("overlays/" + overlay).stream()
                .filter(o -> o.at("/kind").asText().equals("ConfigMap"))
                .filter(o -> o.at("/metadata/name").asText().startsWith("connguard-mitigator-policy"))
                .map(o -> o.at("/data/policy.yaml").asText())
                .findFirst()
                .orElseThrow(() -> new AssertionError("overlay " + overlay + " ships no policy ConfigMap"));
        Path file = dir.resolve(overlay + "-policy.yaml");
        Files.writeString(file, policy);

        Validation result = validate(file);
        assertThat(result.exit())
                .as("validate %s:\n%s", overlay, result.output())
                .isZero();
        assertThat(result.output()).contains(file + ": valid");
    }

    @Test
    void theValidatorRejectsAPolicyWithAnUnknownAction() throws Exception {
        Path file = dir.resolve("broken-policy.yaml");
        Files.writeString(file, """
                mode: enforce
                ladder:
                  - name: reboot
                    when: {min-level: CRITICAL}
                    action: {kind: reboot-database}
                    verify: {window: 30s, improvement: 0.05}
                """);
        Validation result = validate(file);
        assertThat(result.exit()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).contains("broken-policy.yaml");
    }

    private record Validation(int exit, String output) {}

    private static Validation validate(Path policy) throws IOException, InterruptedException {
        Path jar = RepositoryFiles.resolve("mitigator-service/target/quarkus-app/quarkus-run.jar");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path log = Files.createTempFile("validate", ".log");
        Process process = new ProcessBuilder(java.toString(), "-jar", jar.toString(), "validate", policy.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        // the validator exits at once; a jar without it would start the whole service instead
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("'quarkus-run.jar validate' did not exit within 60 s: is " + jar
                    + " an older build without the validate command? Package mitigator-service again.\n"
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        return new Validation(process.exitValue(), output);
    }
}
