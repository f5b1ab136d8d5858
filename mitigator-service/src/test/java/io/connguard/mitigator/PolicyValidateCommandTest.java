package io.connguard.mitigator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code validate <file>} checks a policy without starting anything. */
class PolicyValidateCommandTest {

    @TempDir
    Path dir;

    @Test
    void aValidPolicyExitsZero() throws Exception {
        Path file = dir.resolve("ok.yaml");
        try (var in = getClass().getClassLoader().getResourceAsStream("default-policy.yaml")) {
            Files.copy(in, file);
        }
        Output out = new Output();
        assertThat(MitigatorMain.validate(new String[] {"validate", file.toString()}, out.stream(), out.stream()))
                .isZero();
        assertThat(out.text()).contains(file + ": valid");
    }

    @Test
    void anInvalidPolicyExitsOneNamingFilePathAndProblem() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.yaml"), """
                ladder:
                  - name: scale
                    action: {kind: scale-workload, workload: {kind: Deployment, namespace: a, name: b}, replicas: 1}
                    verify: {window: 3 weeks}
                """);
        Output out = new Output();
        assertThat(MitigatorMain.validate(new String[] {"validate", file.toString()}, out.stream(), out.stream()))
                .isEqualTo(1);
        assertThat(out.text())
                .contains("invalid mitigation policy " + file)
                .contains("ladder[0].verify.window")
                .contains("line 4")
                .contains("bad duration '3 weeks'");
    }

    private static final class Output {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        PrintStream stream() {
            return stream;
        }

        String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
