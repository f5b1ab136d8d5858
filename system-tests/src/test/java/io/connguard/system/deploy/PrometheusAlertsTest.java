package io.connguard.system.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alerts of the production build, as Prometheus evaluates them: {@code promtool} checks the rules and runs the
 * scenarios in deploy/kubernetes/monitoring/tests/alerts-test.yaml (which alert fires, when, with which labels and
 * text) on series shaped like the ones the services publish.
 */
class PrometheusAlertsTest {

    static final String PROMTOOL_PROPERTY = "connguard.promtool";

    @TempDir
    Path dir;

    @Test
    void theRulesAreValidPromQlAndEveryScenarioFiresAsExpected() throws Exception {
        JsonNode rule =
                KustomizeBuildTest.named(Kustomize.objects("overlays/production"), "PrometheusRule", "connguard");
        // the PrometheusRule's spec is a Prometheus rules file
        new YAMLMapper().writeValue(dir.resolve("rules.yaml").toFile(), rule.at("/spec"));
        Path scenarios = RepositoryFiles.resolve("deploy/kubernetes/monitoring/tests/alerts-test.yaml");
        Files.copy(scenarios, dir.resolve("alerts-test.yaml"));

        assertThat(promtool("check", "rules", "rules.yaml")).contains("SUCCESS");
        assertThat(promtool("test", "rules", "alerts-test.yaml")).contains("SUCCESS");

        List<String> tested = new ArrayList<>();
        Kustomize.parse(scenarios)
                .at("/tests")
                .forEach(test -> test.at("/alert_rule_test")
                        .forEach(t -> tested.add(t.at("/alertname").asText())));
        assertThat(tested)
                .as("scenarios for the runbook's alerts and connguard's own")
                .contains(
                        "PostgresConnectionsHigh",
                        "PostgresLongRunningTransaction",
                        "ConnguardAutomationPaused",
                        "ConnguardActionsFailing",
                        "ConnguardBudgetExhausted",
                        "ConnguardNotifyFailing",
                        "ConnguardDetectorCannotSample");
    }

    private String promtool(String... args) throws IOException, InterruptedException {
        String promtool = System.getProperty(PROMTOOL_PROPERTY, "promtool");
        List<String> command = new ArrayList<>(List.of(promtool));
        command.addAll(List.of(args));
        Path log = dir.resolve("promtool.log");
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "promtool is needed to check the alerts and was not found ('" + promtool + "', set -D"
                            + PROMTOOL_PROPERTY + "=/path/to/promtool): install Debian's prometheus package"
                            + " (apt-get install prometheus; .ci/run does it)",
                    e);
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("promtool " + String.join(" ", args) + " did not finish within 60 s");
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(process.exitValue())
                .as("promtool %s:\n%s", String.join(" ", args), output)
                .isZero();
        return output;
    }
}
