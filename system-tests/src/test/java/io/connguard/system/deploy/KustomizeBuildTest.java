package io.connguard.system.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.StringReader;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kustomize overlay under deploy/kubernetes builds offline with {@code kubectl kustomize}, and what it builds
 * is what a platform team expects: probes on /q/health, resources, Secrets referenced and never inlined, every
 * referenced ConfigMap present, a valid mitigation policy, and alerts on metrics the services expose.
 */
class KustomizeBuildTest {

    /** What the services publish on /q/metrics (detector-service and mitigator-service). */
    private static final Set<String> SERVICE_METRICS = Set.of(
            "connguard_connections",
            "connguard_capacity_usable",
            "connguard_capacity_max",
            "connguard_pressure_ratio",
            "connguard_level",
            "connguard_transaction_oldest_seconds",
            "connguard_idle_in_transaction_oldest_seconds",
            "connguard_pooler_clients_waiting",
            "connguard_probe_duration_seconds_count",
            "connguard_probe_duration_seconds_sum",
            "connguard_probe_duration_seconds_max",
            "connguard_probe_failures_total",
            "connguard_events_dropped_total",
            "connguard_actions_total",
            "connguard_automation_enabled",
            "connguard_budget_exhausted_total",
            "connguard_notify_failures_total");

    private static final Pattern METRIC = Pattern.compile("\\bconnguard_[a-z_]+");

    static List<String> overlays() {
        return Kustomize.overlays();
    }

    @Test
    void thereAreADevAndAProductionOverlay() {
        assertThat(Kustomize.overlays()).contains("dev", "production");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyDeploymentProbesQuarkusHealthAndDeclaresResources(String overlay) {
        List<JsonNode> deployments = ofKind(Kustomize.objects("overlays/" + overlay), "Deployment");
        assertThat(deployments)
                .extracting(d -> d.at("/metadata/name").asText())
                .containsExactlyInAnyOrder("connguard-detector", "connguard-mitigator", "connguard-audit");
        for (JsonNode deployment : deployments) {
            String name = deployment.at("/metadata/name").asText();
            JsonNode pod = deployment.at("/spec/template/spec");
            assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean())
                    .as("%s runs as non-root", name)
                    .isTrue();
            assertThat(pod.at("/containers")).as("%s containers", name).hasSize(1);
            JsonNode container = pod.at("/containers/0");
            assertThat(container.at("/livenessProbe/httpGet/path").asText())
                    .as("%s liveness", name)
                    .isEqualTo("/q/health/live");
            assertThat(container.at("/readinessProbe/httpGet/path").asText())
                    .as("%s readiness", name)
                    .isEqualTo("/q/health/ready");
            assertThat(container.at("/startupProbe/httpGet/path").asText())
                    .as("%s start-up", name)
                    .isEqualTo("/q/health/started");
            for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
                assertThat(container.at("/" + probe + "/httpGet/port").asText())
                        .as("%s %s port", name, probe)
                        .isEqualTo("http");
            }
            assertThat(container.at("/ports/0/name").asText()).isEqualTo("http");
            assertThat(container.at("/resources/requests/cpu").asText())
                    .as("%s cpu request", name)
                    .isNotEmpty();
            assertThat(container.at("/resources/requests/memory").asText())
                    .as("%s memory request", name)
                    .isNotEmpty();
            assertThat(container.at("/resources/limits/memory").asText())
                    .as("%s memory limit", name)
                    .isNotEmpty();
            assertThat(container.at("/securityContext/allowPrivilegeEscalation").asBoolean(true))
                    .as("%s privilege escalation", name)
                    .isFalse();
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void secretsAreReferencedNeverInlinedAndTheOperationsGuideSaysHowToCreateThem(String overlay) throws Exception {
        List<JsonNode> objects = Kustomize.objects("overlays/" + overlay);
        assertThat(ofKind(objects, "Secret")).as("no Secret is committed").isEmpty();

        Set<String> referenced = new TreeSet<>();
        for (JsonNode deployment : ofKind(objects, "Deployment")) {
            JsonNode pod = deployment.at("/spec/template/spec");
            pod.at("/volumes").forEach(v -> {
                if (v.has("secret")) {
                    referenced.add(v.at("/secret/secretName").asText());
                }
            });
            List<JsonNode> containers = new ArrayList<>();
            pod.at("/initContainers").forEach(containers::add);
            pod.at("/containers").forEach(containers::add);
            for (JsonNode container : containers) {
                for (JsonNode env : container.at("/env")) {
                    String name = env.at("/name").asText();
                    if (env.has("valueFrom") && env.at("/valueFrom").has("secretKeyRef")) {
                        referenced.add(env.at("/valueFrom/secretKeyRef/name").asText());
                    }
                    if (name.contains("PASSWORD")) {
                        assertThat(env.has("value"))
                                .as("%s sets %s inline", deployment.at("/metadata/name"), name)
                                .isFalse();
                    }
                }
                assertThat(container.at("/envFrom").findValues("secretRef")).isEmpty();
            }
        }
        List<String> expected = new ArrayList<>(List.of(
                "connguard-detector-db",
                "connguard-mitigator-db",
                "connguard-audit-db",
                "connguard-mitigator-tokens",
                "connguard-audit-tokens"));
        if (overlay.equals("production")) {
            // optional: the Kafka client's SASL settings, for a cluster that requires them
            expected.add("connguard-kafka-client");
        }
        assertThat(referenced).containsExactlyInAnyOrderElementsOf(expected);
        String operations = Files.readString(RepositoryFiles.resolve("docs/operations.md"));
        for (String secret : referenced) {
            assertThat(operations)
                    .as("docs/operations.md creates Secret " + secret)
                    .contains(secret);
        }
        for (JsonNode configMap : ofKind(objects, "ConfigMap")) {
            assertThat(configMap.at("/data").toString().toLowerCase())
                    .as("ConfigMap %s holds no password", configMap.at("/metadata/name"))
                    .doesNotContainPattern("password\\s*=\\s*[^\\s]");
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void theAuditSchemaOwnersPasswordReachesOnlyTheMigrationInitContainer(String overlay) throws Exception {
        List<JsonNode> objects = Kustomize.objects("overlays/" + overlay);
        JsonNode pod = named(objects, "Deployment", "connguard-audit").at("/spec/template/spec");
        assertThat(pod.at("/initContainers")).as("audit init containers").hasSize(1);
        JsonNode migrate = pod.at("/initContainers/0");
        JsonNode service = pod.at("/containers/0");
        assertThat(migrate.at("/image").asText())
                .as("the migration runs the service's own image")
                .isEqualTo(service.at("/image").asText());
        assertThat(env(migrate)).containsEntry("QUARKUS_PROFILE", "prod,migrate");
        assertThat(env(migrate))
                .containsEntry("QUARKUS_DATASOURCE_PASSWORD", "secret connguard-audit-db/owner-password");
        assertThat(env(service)).containsEntry("QUARKUS_DATASOURCE_PASSWORD", "secret connguard-audit-db/password");
        assertThat(env(service).values())
                .as("the long-running container holds no owner credential")
                .doesNotContain("secret connguard-audit-db/owner-password");
        assertThat(env(service).keySet()).noneMatch(name -> name.startsWith("QUARKUS_FLYWAY"));
        assertThat(migrate.at("/securityContext/allowPrivilegeEscalation").asBoolean(true))
                .isFalse();
        assertThat(migrate.at("/resources/limits/memory").asText()).isNotEmpty();

        Properties config = new Properties();
        for (JsonNode volume : pod.at("/volumes")) {
            if (volume.has("configMap")) {
                config.load(new StringReader(
                        named(objects, "ConfigMap", volume.at("/configMap/name").asText())
                                .at("/data/application.properties")
                                .asText()));
            }
        }
        assertThat(config)
                .containsEntry("quarkus.datasource.username", "connguard_audit")
                .containsEntry("quarkus.flyway.migrate-at-start", "false")
                .containsEntry("%migrate.quarkus.flyway.migrate-at-start", "true")
                .containsEntry("%migrate.quarkus.datasource.username", "connguard_audit_owner")
                .doesNotContainKey("quarkus.flyway.username");
    }

    // name -> value, or "secret <name>/<key>" for a secretKeyRef
    private static Map<String, String> env(JsonNode container) {
        Map<String, String> env = new HashMap<>();
        for (JsonNode e : container.at("/env")) {
            env.put(
                    e.at("/name").asText(),
                    e.has("value")
                            ? e.at("/value").asText()
                            : "secret " + e.at("/valueFrom/secretKeyRef/name").asText() + "/"
                                    + e.at("/valueFrom/secretKeyRef/key").asText());
        }
        return env;
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyConfigMapAPodUsesIsPartOfTheBuild(String overlay) {
        List<JsonNode> objects = Kustomize.objects("overlays/" + overlay);
        Set<String> built = ofKind(objects, "ConfigMap").stream()
                .map(c -> c.at("/metadata/name").asText())
                .collect(Collectors.toSet());
        for (JsonNode deployment : ofKind(objects, "Deployment")) {
            JsonNode pod = deployment.at("/spec/template/spec");
            List<String> used = new ArrayList<>();
            pod.at("/volumes").forEach(v -> {
                if (v.has("configMap")) {
                    used.add(v.at("/configMap/name").asText());
                }
            });
            pod.at("/containers/0/envFrom").forEach(e -> {
                if (e.has("configMapRef")) {
                    used.add(e.at("/configMapRef/name").asText());
                }
            });
            assertThat(built)
                    .as("ConfigMaps of %s", deployment.at("/metadata/name"))
                    .containsAll(used);
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void thePolicyIsShippedAndNamesItsMode(String overlay) {
        JsonNode policy = MitigatorPolicy.of(Kustomize.objects("overlays/" + overlay));
        assertThat(policy.at("/mode").asText()).isIn("enforce", "dry-run");
        assertThat(policy.at("/ladder")).isNotEmpty();
    }

    @Test
    void productionStartsInDryRunWithTwoMitigatorsAndDisruptionBudgets() {
        List<JsonNode> objects = Kustomize.objects("overlays/production");
        assertThat(MitigatorPolicy.of(objects).at("/mode").asText()).isEqualTo("dry-run");
        assertThat(named(objects, "Deployment", "connguard-mitigator")
                        .at("/spec/replicas")
                        .asInt())
                .isEqualTo(2);
        assertThat(named(objects, "Deployment", "connguard-detector")
                        .at("/spec/replicas")
                        .asInt())
                .as("one detector: two would publish every level change twice")
                .isEqualTo(1);
        assertThat(ofKind(objects, "PodDisruptionBudget"))
                .extracting(p -> p.at("/spec/selector/matchLabels/app.kubernetes.io~1name")
                        .asText())
                .contains("connguard-mitigator");
        assertThat(ofKind(objects, "NetworkPolicy")).isNotEmpty();
        assertThat(named(objects, "ServiceMonitor", "connguard")
                        .at("/spec/endpoints/0/path")
                        .asText())
                .isEqualTo("/q/metrics");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void theMitigatorAndTheAuditServiceReadTheirApiTokensFromTheirSecret(String overlay) throws Exception {
        List<JsonNode> objects = Kustomize.objects("overlays/" + overlay);
        boolean production = overlay.equals("production");
        for (String service : List.of("mitigator", "audit")) {
            JsonNode pod = named(objects, "Deployment", "connguard-" + service).at("/spec/template/spec");
            JsonNode volume = null;
            for (JsonNode v : pod.at("/volumes")) {
                if (v.at("/secret/secretName").asText().equals("connguard-" + service + "-tokens")) {
                    volume = v;
                }
            }
            assertThat(volume)
                    .as("%s %s mounts Secret connguard-%s-tokens", overlay, service, service)
                    .isNotNull();
            // production does not start without the Secret; elsewhere a missing one leaves every change refused
            assertThat(volume.at("/secret/optional").asBoolean())
                    .as("%s: the token Secret of %s is optional", overlay, service)
                    .isEqualTo(!production);
            String mountPath = null;
            for (JsonNode mount : pod.at("/containers/0/volumeMounts")) {
                if (mount.at("/name").asText().equals(volume.at("/name").asText())) {
                    mountPath = mount.at("/mountPath").asText();
                }
            }
            String configMap = null;
            for (JsonNode v : pod.at("/volumes")) {
                if (v.at("/name").asText().equals("config")) {
                    configMap = v.at("/configMap/name").asText();
                }
            }
            Properties config = new Properties();
            config.load(new StringReader(named(objects, "ConfigMap", configMap)
                    .at("/data/application.properties")
                    .asText()));
            assertThat(config.getProperty("connguard.auth.tokens-dir"))
                    .as("%s reads its tokens where the Secret is mounted", service)
                    .isEqualTo(mountPath);
        }
        List<String> auditEnv = new ArrayList<>();
        named(objects, "Deployment", "connguard-audit")
                .at("/spec/template/spec/containers/0/env")
                .forEach(e -> auditEnv.add(
                        e.at("/name").asText() + "=" + e.at("/value").asText()));
        assertThat(auditEnv.contains("CONNGUARD_AUTH_READ_REQUIRES_TOKEN=true"))
                .as("%s: reading the audit API needs a token", overlay)
                .isEqualTo(production);
    }

    @Test
    void theAlertsCoverTheRunbookAndConnguardItselfOnMetricsTheServicesExpose() {
        JsonNode rule = named(Kustomize.objects("overlays/production"), "PrometheusRule", "connguard");
        List<String> alerts = new ArrayList<>();
        for (JsonNode group : rule.at("/spec/groups")) {
            for (JsonNode alert : group.at("/rules")) {
                String name = alert.at("/alert").asText();
                alerts.add(name);
                String expr = alert.at("/expr").asText();
                Matcher metrics = METRIC.matcher(expr);
                while (metrics.find()) {
                    assertThat(SERVICE_METRICS).as("metric in alert %s", name).contains(metrics.group());
                }
                assertThat(alert.at("/labels/severity").asText()).isIn("warning", "critical");
                assertThat(alert.at("/annotations/summary").asText()).isNotBlank();
                assertThat(alert.at("/annotations/runbook").asText())
                        .startsWith("docs/operations.md#" + name.toLowerCase());
            }
        }
        assertThat(alerts)
                .contains(
                        "PostgresConnectionsHigh", // runbook: connections > 0.8 x max for 2m
                        "PostgresLongRunningTransaction", // runbook: long-running transactions
                        "ConnguardAutomationPaused",
                        "ConnguardActionsFailing",
                        "ConnguardDetectorCannotSample");
        JsonNode high = rule.at("/spec/groups/0/rules/0");
        assertThat(high.at("/expr").asText()).contains("0.8 *").contains("connguard_capacity_max");
        assertThat(high.at("/for").asText()).isEqualTo("2m");
    }

    @Test
    void theDashboardChartsMetricsTheServicesExpose() {
        JsonNode configMap = ofKind(Kustomize.objects("overlays/production"), "ConfigMap").stream()
                .filter(c -> c.at("/metadata/labels/grafana_dashboard").asText().equals("1"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no ConfigMap labelled grafana_dashboard=1"));
        JsonNode dashboard =
                Kustomize.parse(configMap.at("/data/connguard.json").asText());
        assertThat(dashboard.at("/panels")).isNotEmpty();
        for (JsonNode panel : dashboard.at("/panels")) {
            assertThat(panel.at("/targets")).as("panel %s", panel.at("/title")).isNotEmpty();
            for (JsonNode target : panel.at("/targets")) {
                Matcher metrics = METRIC.matcher(target.at("/expr").asText());
                assertThat(metrics.find())
                        .as("panel %s charts a connguard metric", panel.at("/title"))
                        .isTrue();
                do {
                    assertThat(SERVICE_METRICS)
                            .as("metric in panel %s", panel.at("/title"))
                            .contains(metrics.group());
                } while (metrics.find());
            }
        }
    }

    static List<JsonNode> ofKind(List<JsonNode> objects, String kind) {
        return objects.stream().filter(o -> kind.equals(o.at("/kind").asText())).toList();
    }

    static JsonNode named(List<JsonNode> objects, String kind, String name) {
        return ofKind(objects, kind).stream()
                .filter(o -> name.equals(o.at("/metadata/name").asText()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in the build"));
    }
}
