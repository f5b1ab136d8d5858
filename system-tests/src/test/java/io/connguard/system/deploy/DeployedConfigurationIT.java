package io.connguard.system.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.connguard.infra.FreePorts;
import io.connguard.infra.SharedInfra;
import io.connguard.infra.kubernetes.KubernetesCrudServer;
import io.connguard.infra.postgres.PostgresOptions;
import io.connguard.infra.postgres.PostgresServer;
import io.connguard.infra.process.ServiceProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged services started with the configuration the Kubernetes manifests give them (the dev overlay's
 * ConfigMaps, the Secrets mounted where the Deployments mount them, the policy ConfigMap) and the database roles
 * deploy/sql creates: each one gets ready and does its job. Only what a cluster would supply differently is
 * replaced: addresses, the Secret files' contents, the API server.
 */
class DeployedConfigurationIT {

    private static final Duration START = Duration.ofSeconds(120);
    private static final Pattern STATE_SELECTOR = Pattern.compile("state=\\\\?\"([a-z_]+)");
    private static final String DETECTOR_PASSWORD = "detector-secret";
    private static final String MITIGATOR_PASSWORD = "mitigator-secret";
    private static final String AUDIT_PASSWORD = "audit-secret";
    private static final String AUDIT_OWNER_PASSWORD = "owner-secret";
    private static final String OPERATOR_TOKEN = "ops-token-0123456789abcdef";
    private static final String KILL_SWITCH = "/api/automation/kill-switch";

    @TempDir
    static Path dir;

    private static PostgresServer target;
    private static PostgresServer auditDb;
    private static KubernetesCrudServer kubernetes;
    private static final List<ServiceProcess> services = new ArrayList<>();
    private static ServiceProcess detector;
    private static ServiceProcess mitigator;
    private static ServiceProcess audit;
    private static ServiceProcess auditMigration;
    private static int auditMigrationExit;

    @BeforeAll
    static void startAsDeployed() throws Exception {
        String kafka = SharedInfra.kafka().bootstrapServers();
        Psql psql = Psql.locate();
        target = PostgresServer.start(PostgresOptions.defaults().maxConnections(30));
        psql.runFile(
                target,
                "postgres",
                RepositoryFiles.resolve("deploy/sql/01-detector-role.sql"),
                Map.of("detector_password", DETECTOR_PASSWORD));
        psql.runFile(
                target,
                "postgres",
                RepositoryFiles.resolve("deploy/sql/02-mitigator-role.sql"),
                Map.of("mitigator_password", MITIGATOR_PASSWORD));
        auditDb = PostgresServer.start();
        psql.runFile(
                auditDb,
                "postgres",
                RepositoryFiles.resolve("deploy/sql/03-audit-database.sql"),
                Map.of("owner_password", AUDIT_OWNER_PASSWORD, "audit_password", AUDIT_PASSWORD));
        kubernetes = KubernetesCrudServer.start();

        List<JsonNode> manifests = Kustomize.objects("overlays/dev");

        Map<String, String> detectorConfig = deployed(
                manifests,
                "connguard-detector",
                Map.of("connguard-detector-db", Map.of("starforge-password", DETECTOR_PASSWORD)));
        String t = "connguard.detector.targets.starforge.";
        detectorConfig.put("kafka.bootstrap.servers", kafka);
        detectorConfig.put(t + "host", target.host());
        detectorConfig.put(t + "port", Integer.toString(target.port()));

        Map<String, String> mitigatorConfig = deployed(
                manifests,
                "connguard-mitigator",
                Map.of(
                        "connguard-mitigator-db", Map.of("starforge-password", MITIGATOR_PASSWORD),
                        "connguard-mitigator-tokens", Map.of("ops", OPERATOR_TOKEN)));
        String m = "connguard.mitigator.targets.starforge.";
        mitigatorConfig.put("kafka.bootstrap.servers", kafka);
        mitigatorConfig.put(m + "host", target.host());
        mitigatorConfig.put(m + "port", Integer.toString(target.port()));
        // the Deployment sets it from the downward API (metadata.namespace)
        mitigatorConfig.put("connguard.mitigator.namespace", "connguard");
        mitigatorConfig.put("quarkus.kubernetes-client.api-server-url", kubernetes.url());

        URI jdbc = URI.create(
                auditProperty(manifests, "quarkus.datasource.jdbc.url").substring("jdbc:".length()));
        String auditJdbcUrl = auditDb.jdbcUrl(jdbc.getPath().substring(1));
        // the init container first: it migrates as the owner and exits, without Kafka (nothing listens there)
        Map<String, String> migrateConfig = deployed(manifests, "connguard-audit", "/initContainers/0", Map.of());
        migrateConfig.put("kafka.bootstrap.servers", "127.0.0.1:" + FreePorts.pick());
        migrateConfig.put("quarkus.datasource.jdbc.url", auditJdbcUrl);
        // the init container reads it from the Secret connguard-audit-db, key owner-password
        migrateConfig.put("quarkus.datasource.password", AUDIT_OWNER_PASSWORD);
        auditMigration = start("audit-service", migrateConfig);
        auditMigrationExit = auditMigration.awaitExit(START);

        Map<String, String> auditConfig = deployed(
                manifests,
                "connguard-audit",
                "/containers/0",
                Map.of("connguard-audit-tokens", Map.of("ops", OPERATOR_TOKEN)));
        auditConfig.put("kafka.bootstrap.servers", kafka);
        auditConfig.put("quarkus.datasource.jdbc.url", auditJdbcUrl);
        // the service's container has the ingest role's password only (Secret connguard-audit-db, key password)
        auditConfig.put("quarkus.datasource.password", AUDIT_PASSWORD);

        audit = start("audit-service", auditConfig);
        mitigator = start("mitigator-service", mitigatorConfig);
        detector = start("detector-service", detectorConfig);
        for (ServiceProcess service : services) {
            if (service != auditMigration) {
                service.awaitReady(START);
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        services.forEach(ServiceProcess::stop);
        for (ServiceProcess service : services) {
            service.close();
        }
        for (AutoCloseable closeable : new AutoCloseable[] {kubernetes, auditDb, target}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    @Test
    void theDetectorSamplesTheTargetAsConnguardDetector() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode targets = Kustomize.parse(get(detector, "/api/targets"));
            assertThat(targets.findValuesAsText("targetId")).contains("starforge");
            assertThat(targets.findValuesAsText("level")).contains("OK");
        });
    }

    @Test
    void theMitigatorReadsItsKillSwitchThroughTheApiServer() throws Exception {
        JsonNode killSwitch = Kustomize.parse(get(mitigator, "/api/automation/kill-switch"));
        assertThat(killSwitch.at("/engaged").asBoolean(true)).isFalse();
    }

    @Test
    void theMitigatorTakesAChangeOnlyWithATokenFromItsMountedSecretAndRecordsItsPrincipal() throws Exception {
        String body = "{\"reason\":\"deployed-configuration check\"}";
        assertThat(send(mitigator, "POST", KILL_SWITCH, body, null).statusCode())
                .isEqualTo(401);
        HttpResponse<String> engaged = send(mitigator, "POST", KILL_SWITCH, body, OPERATOR_TOKEN);
        assertThat(engaged.statusCode()).as(engaged.body()).isEqualTo(200);
        assertThat(Kustomize.parse(engaged.body()).at("/by").asText()).isEqualTo("ops");
        assertThat(send(mitigator, "DELETE", KILL_SWITCH, body, OPERATOR_TOKEN).statusCode())
                .isEqualTo(200);
    }

    @Test
    void theInitContainerMigratesAsOwnerAndTheServiceRunsAsTheIngestRoleAlone() throws Exception {
        assertThat(auditMigrationExit).as(auditMigration.output()).isZero();
        assertThat(auditMigration.output())
                .as("the migration step exits after Flyway, before ingest and HTTP start")
                .doesNotContain("Listening on");
        try (Connection c = DriverManager.getConnection(
                        auditDb.jdbcUrl("connguard_audit"), auditDb.superuser(), auditDb.password());
                Statement s = c.createStatement()) {
            ResultSet history = s.executeQuery("SELECT DISTINCT installed_by FROM flyway_schema_history WHERE success");
            assertThat(history.next()).isTrue();
            assertThat(history.getString(1)).isEqualTo("connguard_audit_owner");
            assertThat(history.next()).isFalse();
        }
        // the service, holding the ingest role's password only, reads and stores
        assertThat(Kustomize.parse(get(audit, "/api/incidents")).isContainerNode())
                .isTrue();
        try (Connection c = DriverManager.getConnection(
                        auditDb.jdbcUrl("connguard_audit"), auditDb.superuser(), auditDb.password());
                Statement s = c.createStatement()) {
            ResultSet sessions = s.executeQuery("SELECT DISTINCT usename FROM pg_stat_activity"
                    + " WHERE datname = 'connguard_audit' AND pid <> pg_backend_pid()");
            List<String> roles = new ArrayList<>();
            while (sessions.next()) {
                roles.add(sessions.getString(1));
            }
            assertThat(roles).as("roles connected to the audit database").containsExactly("connguard_audit");
        }
    }

    /**
     * Starts the service on its local copy of the ConfigMap's file with {@code config}'s values written into that
     * copy: a file named by quarkus.config.locations outranks system properties, so -D overrides would not apply.
     */
    @Test
    void theAlertsAndTheDashboardQueryMetricsTheServicesPublish() throws Exception {
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() ->
                        assertThat(get(detector, "/q/metrics")).contains("connguard_level{target=\"starforge\"}"));
        // no API call first: connguard_automation_enabled must be exported from start-up, or the
        // "automation paused" alert cannot fire before the first pressure event
        String scraped = get(detector, "/q/metrics") + get(mitigator, "/q/metrics");
        List<JsonNode> production = Kustomize.objects("overlays/production");
        // the alerts' expressions and the dashboard's
        String queries = KustomizeBuildTest.named(production, "PrometheusRule", "connguard")
                        .at("/spec")
                        .toString()
                + KustomizeBuildTest.ofKind(production, "ConfigMap").stream()
                        .filter(c -> c.at("/metadata/labels/grafana_dashboard")
                                .asText()
                                .equals("1"))
                        .map(c -> c.at("/data").toString())
                        .findFirst()
                        .orElseThrow();
        Matcher metric = Pattern.compile("\\b(connguard_[a-z_]+)(\\{[^}]*\\})?").matcher(queries);
        while (metric.find()) {
            String name = metric.group(1);
            // counters appear on their first increment (an action, a dropped event): only their name is checked
            if (!name.endsWith("_total")) {
                assertThat(scraped).as("a service publishes %s", name).containsPattern("(?m)^" + name + "[{ ]");
            }
            // a label value the query selects on, e.g. state="total", must exist
            Matcher state = STATE_SELECTOR.matcher(metric.group(2) == null ? "" : metric.group(2));
            if (state.find()) {
                assertThat(scraped)
                        .as("%s has state %s", name, state.group(1))
                        .containsPattern(name + "\\{[^}]*state=\"" + state.group(1) + "\"");
            }
        }
    }

    private static ServiceProcess start(String module, Map<String, String> config) throws Exception {
        Map<String, String> values = new HashMap<>(config);
        Path file = Path.of(values.remove("quarkus.config.locations"));
        Map<String, String> systemProperties = new HashMap<>(Map.of("quarkus.config.locations", file.toString()));
        // the profile chooses which lines of the file apply: it comes from the container's environment
        String profile = values.remove("quarkus.profile");
        if (profile != null) {
            systemProperties.put("quarkus.profile", profile);
        }
        values.forEach((key, value) -> set(file, key, value));
        ServiceProcess service = ServiceProcess.start(
                RepositoryFiles.root(),
                module,
                FreePorts.pick(),
                systemProperties,
                Path.of("target", "deployed-" + module + (profile == null ? "" : "-" + profile) + ".log"));
        services.add(service);
        return service;
    }

    /**
     * The configuration a Deployment's pod sees: its application.properties ConfigMap (through
     * QUARKUS_CONFIG_LOCATIONS, as the Deployment sets it), with every mounted ConfigMap and Secret volume
     * written to a directory of its own, each Secret's keys holding {@code secretFiles} of its name.
     */
    private static Map<String, String> deployed(
            List<JsonNode> manifests, String deployment, Map<String, Map<String, String>> secretFiles)
            throws Exception {
        return deployed(manifests, deployment, "/containers/0", secretFiles);
    }

    /** The same for one container of the pod, e.g. {@code /initContainers/0}; its environment's profile included. */
    private static Map<String, String> deployed(
            List<JsonNode> manifests,
            String deployment,
            String containerPointer,
            Map<String, Map<String, String>> secretFiles)
            throws Exception {
        JsonNode pod =
                KustomizeBuildTest.named(manifests, "Deployment", deployment).at("/spec/template/spec");
        JsonNode container = pod.at(containerPointer);
        assertThat(container.isMissingNode())
                .as("%s has %s", deployment, containerPointer)
                .isFalse();
        String containerName = container.at("/name").asText();
        Map<String, Path> mounts = new HashMap<>();
        for (JsonNode mount : container.at("/volumeMounts")) {
            String volumeName = mount.at("/name").asText();
            Path local = Files.createDirectories(
                    dir.resolve(deployment).resolve(containerName).resolve(volumeName));
            mounts.put(mount.at("/mountPath").asText(), local);
            for (JsonNode volume : pod.at("/volumes")) {
                if (!volume.at("/name").asText().equals(volumeName)) {
                    continue;
                }
                if (volume.has("configMap")) {
                    JsonNode data = KustomizeBuildTest.named(
                                    manifests,
                                    "ConfigMap",
                                    volume.at("/configMap/name").asText())
                            .at("/data");
                    for (var entry : (Iterable<Map.Entry<String, JsonNode>>) data::fields) {
                        Files.writeString(
                                local.resolve(entry.getKey()), entry.getValue().asText());
                    }
                }
                if (volume.has("secret")) {
                    String secret = volume.at("/secret/secretName").asText();
                    for (var entry : secretFiles.getOrDefault(secret, Map.of()).entrySet()) {
                        Files.writeString(local.resolve(entry.getKey()), entry.getValue());
                    }
                }
            }
        }
        String locations = null;
        String profile = null;
        for (JsonNode env : container.at("/env")) {
            if (env.at("/name").asText().equals("QUARKUS_CONFIG_LOCATIONS")) {
                locations = env.at("/value").asText();
            }
            if (env.at("/name").asText().equals("QUARKUS_PROFILE")) {
                profile = env.at("/value").asText();
            }
        }
        assertThat(locations).as("%s names its configuration file", deployment).isNotNull();
        Properties properties = new Properties();
        Path configFile = local(mounts, locations);
        try (var in = Files.newInputStream(configFile)) {
            properties.load(in);
        }
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.config.locations", configFile.toString());
        if (profile != null) {
            config.put("quarkus.profile", profile);
        }
        // paths into the pod's mounts (policy file, password files) point at the local copies
        for (String key : properties.stringPropertyNames()) {
            String value = properties.getProperty(key);
            // an init container mounts less than the service (the migration: no API tokens); such a path is
            // missing in its pod too, so it stays as it is
            if (value.startsWith("/etc/")
                    && !(containerPointer.startsWith("/initContainers") && !mounted(mounts, value))) {
                Path file = local(mounts, value);
                assertThat(file).as("%s=%s exists in the pod", key, value).exists();
                config.put(key, file.toString());
            }
        }
        return config;
    }

    /** Replaces the value of {@code key} in a properties file, or appends it. */
    private static void set(Path properties, String key, String value) {
        try {
            List<String> lines = new ArrayList<>();
            boolean found = false;
            for (String line : Files.readAllLines(properties)) {
                if (line.startsWith(key + "=")) {
                    line = key + "=" + value;
                    found = true;
                }
                lines.add(line);
            }
            if (!found) {
                lines.add(key + "=" + value);
            }
            Files.write(properties, lines);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static boolean mounted(Map<String, Path> mounts, String podPath) {
        return mounts.keySet().stream().anyMatch(m -> podPath.equals(m) || podPath.startsWith(m + "/"));
    }

    private static Path local(Map<String, Path> mounts, String podPath) {
        for (var mount : mounts.entrySet()) {
            if (podPath.equals(mount.getKey())) {
                return mount.getValue();
            }
            if (podPath.startsWith(mount.getKey() + "/")) {
                return mount.getValue().resolve(podPath.substring(mount.getKey().length() + 1));
            }
        }
        throw new AssertionError(podPath + " is not under any of the pod's mounts " + mounts.keySet());
    }

    private static String auditProperty(List<JsonNode> manifests, String key) throws Exception {
        JsonNode pod = KustomizeBuildTest.named(manifests, "Deployment", "connguard-audit")
                .at("/spec/template/spec");
        for (JsonNode volume : pod.at("/volumes")) {
            if (volume.has("configMap")) {
                String text = KustomizeBuildTest.named(
                                manifests,
                                "ConfigMap",
                                volume.at("/configMap/name").asText())
                        .at("/data/application.properties")
                        .asText();
                Properties properties = new Properties();
                properties.load(new java.io.StringReader(text));
                if (properties.containsKey(key)) {
                    return properties.getProperty(key);
                }
            }
        }
        throw new AssertionError("the audit ConfigMap sets no " + key);
    }

    private static HttpResponse<String> send(
            ServiceProcess service, String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(service.url(path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String get(ServiceProcess service, String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(service.url(path))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode())
                .as("GET %s%s: %s", service.name(), path, response.body())
                .isEqualTo(200);
        return response.body();
    }
}
