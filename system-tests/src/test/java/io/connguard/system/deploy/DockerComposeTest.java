package io.connguard.system.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml, checked without a Docker engine: every service, its image or build, health check, start
 * order, ports, mounted files, and the configuration each connguard service needs, consistent with the services'
 * own application.properties and with the roles deploy/sql creates.
 */
class DockerComposeTest {

    private static final List<String> CONNGUARD = List.of("detector", "mitigator", "audit");
    private static final Set<String> ALWAYS_ON =
            Set.of("kafka", "kafka-init", "target-db", "pgbouncer", "audit-db", "detector", "mitigator", "audit");

    private static JsonNode services;

    @BeforeAll
    static void parse() {
        services =
                Kustomize.parse(RepositoryFiles.resolve("docker-compose.yml")).at("/services");
    }

    @Test
    void theWholeLoopAndAStormAreDefined() {
        assertThat(names()).containsAll(ALWAYS_ON).contains("storm");
        for (String name : names()) {
            JsonNode service = services.get(name);
            assertThat(service.has("image") || service.has("build"))
                    .as("%s has an image or a build", name)
                    .isTrue();
            boolean inStormProfile = service.has("profiles")
                    && service.get("profiles").toString().contains("storm");
            assertThat(inStormProfile)
                    .as("%s runs only with --profile storm", name)
                    .isEqualTo(!ALWAYS_ON.contains(name));
        }
        assertThat(services.at("/kafka/image").asText()).startsWith("apache/kafka:");
        assertThat(services.at("/kafka/environment/KAFKA_PROCESS_ROLES").asText())
                .as("KRaft, no ZooKeeper")
                .isEqualTo("broker,controller");
        assertThat(services.at("/storm/command").toString()).contains("pgbench");
    }

    @Test
    void everyLongRunningServiceHasAHealthCheckAndStartsAfterWhatItNeeds() {
        for (String name : names()) {
            JsonNode service = services.get(name);
            boolean oneShot = "no".equals(service.at("/restart").asText()) || name.equals("kafka-init");
            if (!oneShot) {
                assertThat(service.at("/healthcheck/test").isMissingNode())
                        .as("%s has a health check", name)
                        .isFalse();
            }
            Iterator<Map.Entry<String, JsonNode>> dependencies =
                    service.path("depends_on").fields();
            while (dependencies.hasNext()) {
                Map.Entry<String, JsonNode> dependency = dependencies.next();
                String on = dependency.getKey();
                assertThat(names()).as("%s depends on a defined service", name).contains(on);
                String condition = dependency.getValue().at("/condition").asText();
                assertThat(condition)
                        .as("%s waits for %s", name, on)
                        .isIn("service_healthy", "service_completed_successfully", "service_started");
                if (condition.equals("service_healthy")) {
                    assertThat(services.get(on).has("healthcheck"))
                            .as("%s waits for %s to be healthy, which needs a health check", name, on)
                            .isTrue();
                }
            }
        }
        for (String name : CONNGUARD) {
            assertThat(services.at("/" + name + "/depends_on/kafka-init/condition")
                            .asText())
                    .as("%s starts after the topics exist", name)
                    .isEqualTo("service_completed_successfully");
        }
        assertThat(services.at("/kafka-init/depends_on/kafka/condition").asText())
                .isEqualTo("service_healthy");
        assertThat(services.at("/detector/depends_on/target-db/condition").asText())
                .isEqualTo("service_healthy");
        assertThat(services.at("/audit/depends_on/audit-db/condition").asText()).isEqualTo("service_healthy");
    }

    @Test
    void theServicesAreBuiltFromTheirDockerfileAndServeTheirPort() throws IOException {
        for (String name : CONNGUARD) {
            String module = name + "-service";
            JsonNode service = services.get(name);
            assertThat(service.at("/build/context").asText()).isEqualTo("./" + module);
            String dockerfile = service.at("/build/dockerfile").asText();
            assertThat(dockerfile).isEqualTo("src/main/docker/Dockerfile.jvm");
            String image = Files.readString(RepositoryFiles.resolve(module + "/" + dockerfile));
            assertThat(image).contains("target/quarkus-app/").contains("quarkus-run.jar");

            String port = httpPort(module);
            assertThat(image).contains("EXPOSE " + port);
            assertThat(service.at("/ports").toString()).contains("\"" + port + ":" + port + "\"");
            assertThat(service.at("/healthcheck/test").toString()).contains("localhost:" + port + "/q/health/ready");
        }
    }

    @Test
    void everyServiceGetsTheConfigurationItNeeds() {
        String advertised =
                services.at("/kafka/environment/KAFKA_ADVERTISED_LISTENERS").asText();
        for (String name : CONNGUARD) {
            String bootstrap = env(name, "KAFKA_BOOTSTRAP_SERVERS");
            assertThat(advertised)
                    .as("%s reaches Kafka on an advertised listener", name)
                    .contains("//" + bootstrap);
            assertThat(bootstrap).startsWith("kafka:");
        }

        // the detector probes the target (as the role deploy/sql creates) and reads pgbouncer's pools
        String t = "CONNGUARD_DETECTOR_TARGETS_STARFORGE_";
        assertThat(env("detector", t + "HOST")).isEqualTo("target-db");
        assertThat(env("detector", t + "PORT")).isEqualTo("5432");
        assertThat(env("detector", t + "USER")).isEqualTo("connguard_detector");
        assertThat(env("detector", t + "PASSWORD")).isEqualTo(env("target-db", "CONNGUARD_DETECTOR_PASSWORD"));
        assertThat(env("detector", t + "PGBOUNCER_HOST")).isEqualTo("pgbouncer");
        assertThat(env("detector", t + "PGBOUNCER_PORT")).isEqualTo("6432");
        assertThat(services.at("/pgbouncer/ports").toString()).contains("6432:6432");

        // the mitigator signals sessions in the same target, with the same target id
        String m = "CONNGUARD_MITIGATOR_TARGETS_STARFORGE_";
        assertThat(env("mitigator", m + "HOST")).isEqualTo("target-db");
        assertThat(env("mitigator", m + "USER")).isEqualTo("connguard_mitigator");
        assertThat(env("mitigator", m + "PASSWORD")).isEqualTo(env("target-db", "CONNGUARD_MITIGATOR_PASSWORD"));
        String policy = env("mitigator", "CONNGUARD_MITIGATOR_POLICY_FILE");
        assertThat(mounts("mitigator")).anyMatch(v -> v.endsWith(":" + policy + ":ro"));

        // the audit service ingests as connguard_audit and migrates as the owner, in the database deploy/sql creates
        URI jdbc = URI.create(env("audit", "QUARKUS_DATASOURCE_JDBC_URL").substring("jdbc:".length()));
        assertThat(jdbc.getHost()).isEqualTo("audit-db");
        assertThat(jdbc.getPath()).isEqualTo("/connguard_audit");
        assertThat(env("audit", "QUARKUS_DATASOURCE_USERNAME")).isEqualTo("connguard_audit");
        assertThat(env("audit", "QUARKUS_DATASOURCE_PASSWORD")).isEqualTo(env("audit-db", "CONNGUARD_AUDIT_PASSWORD"));
        assertThat(env("audit", "QUARKUS_FLYWAY_USERNAME")).isEqualTo("connguard_audit_owner");
        assertThat(env("audit", "QUARKUS_FLYWAY_PASSWORD"))
                .isEqualTo(env("audit-db", "CONNGUARD_AUDIT_OWNER_PASSWORD"));

        // the mitigator and the audit service read the API tokens from the mounted dev token directory
        for (String name : List.of("mitigator", "audit")) {
            String tokens = env(name, "CONNGUARD_AUTH_TOKENS_DIR");
            assertThat(mounts(name)).contains("./deploy/compose/dev-tokens:" + tokens + ":ro");
        }
    }

    @Test
    void theTargetIsSmallReservesSlotsForConnguardAndTheStormFillsIt() {
        String command = services.at("/target-db/command").toString();
        int max = setting(command, "max_connections");
        int superuserReserved = setting(command, "superuser_reserved_connections");
        int reserved = setting(command, "reserved_connections");
        assertThat(max).as("a small max_connections, so a storm is quick").isLessThanOrEqualTo(50);
        assertThat(reserved)
                .as("slots for connguard's pg_use_reserved_connections roles")
                .isGreaterThanOrEqualTo(2);
        assertThat(services.at("/target-db/image").asText())
                .as("reserved_connections needs PostgreSQL 16+")
                .matches("postgres:(1[6-9]|[2-9][0-9]).*");
        int usable = max - superuserReserved - reserved;
        // the detector's and the mitigator's sessions, opened first, hold ordinary slots while there are some
        int storm = clients("storm") + Integer.parseInt(iniValue("default_pool_size")) + 2;
        assertThat(storm)
                .as("the storm fills the %d usable slots without being refused (pgbench stops on a refusal)", usable)
                .isLessThanOrEqualTo(usable);
        assertThat((double) storm / usable).as("CRITICAL: 95 %% of usable").isGreaterThanOrEqualTo(0.95);
        int pool = Integer.parseInt(iniValue("default_pool_size"));
        assertThat(clients("storm-pooled"))
                .as("more pooled clients than the pool: they queue")
                .isGreaterThan(pool);
        assertThat(iniValue("stats_users")).contains("connguard_detector");
    }

    @Test
    void everyMountedFileIsInTheRepositoryAndTheInitScriptsApplyDeploySql() throws IOException {
        for (String name : names()) {
            for (String volume : mounts(name)) {
                String source = volume.split(":")[0];
                if (source.startsWith("./")) {
                    assertThat(RepositoryFiles.root().resolve(source.substring(2)))
                            .as("%s mounts %s", name, source)
                            .exists();
                }
            }
        }
        for (String db : List.of("target-db", "audit-db")) {
            assertThat(mounts(db)).contains("./deploy/sql:/connguard-sql:ro");
        }
        String target = Files.readString(RepositoryFiles.resolve("deploy/compose/target-db-init.sh"));
        assertThat(target).contains("01-detector-role.sql").contains("02-mitigator-role.sql");
        String audit = Files.readString(RepositoryFiles.resolve("deploy/compose/audit-db-init.sh"));
        assertThat(audit).contains("03-audit-database.sql");
        Path pgbouncer = RepositoryFiles.resolve(
                services.at("/pgbouncer/build/context").asText().substring(2));
        assertThat(pgbouncer.resolve("Dockerfile")).exists();
        String users = Files.readString(pgbouncer.resolve("userlist.txt"));
        assertThat(users)
                .contains("\"connguard_detector\" \"" + env("target-db", "CONNGUARD_DETECTOR_PASSWORD") + "\"");
        assertThat(users).contains("\"etl_worker\" \"" + env("target-db", "STARFORGE_ETL_PASSWORD") + "\"");
    }

    @Test
    void theOperationsGuideGivesTheOneCommand() throws IOException {
        String operations = Files.readString(RepositoryFiles.resolve("docs/operations.md"));
        assertThat(operations).contains("docker compose up").contains("--profile storm");
    }

    private static List<String> names() {
        List<String> names = new ArrayList<>();
        services.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String env(String service, String variable) {
        JsonNode value = services.at("/" + service + "/environment/" + variable);
        assertThat(value.isMissingNode()).as("%s sets %s", service, variable).isFalse();
        return value.asText();
    }

    private static List<String> mounts(String service) {
        List<String> mounts = new ArrayList<>();
        services.at("/" + service + "/volumes").forEach(v -> mounts.add(v.asText()));
        return mounts;
    }

    private static String httpPort(String module) throws IOException {
        Properties properties = new Properties();
        try (var in =
                Files.newInputStream(RepositoryFiles.resolve(module + "/src/main/resources/application.properties"))) {
            properties.load(in);
        }
        String port = properties.getProperty("quarkus.http.port");
        assertThat(port).as("%s sets quarkus.http.port", module).isNotNull();
        return port;
    }

    private static int setting(String command, String name) {
        Matcher m = Pattern.compile("\"" + name + "=(\\d+)\"").matcher(command);
        assertThat(m.find()).as("target-db sets %s", name).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static int clients(String service) {
        JsonNode command = services.at("/" + service + "/command");
        for (int i = 0; i < command.size() - 1; i++) {
            if (command.get(i).asText().equals("-c")) {
                return Integer.parseInt(command.get(i + 1).asText());
            }
        }
        throw new AssertionError(service + " has no pgbench -c");
    }

    private static String iniValue(String key) {
        try {
            for (String line : Files.readAllLines(RepositoryFiles.resolve("deploy/compose/pgbouncer/pgbouncer.ini"))) {
                String[] parts = line.split("=", 2);
                if (parts.length == 2 && parts[0].trim().equals(key)) {
                    return parts[1].trim();
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        throw new AssertionError("pgbouncer.ini has no " + key);
    }
}
