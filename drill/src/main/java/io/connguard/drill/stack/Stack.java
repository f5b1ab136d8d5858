package io.connguard.drill.stack;

import io.connguard.drill.workload.Workload;
import io.connguard.events.Topics;
import io.connguard.infra.FreePorts;
import io.connguard.infra.kafka.KafkaBroker;
import io.connguard.infra.kubernetes.KubernetesCrudServer;
import io.connguard.infra.postgres.PostgresOptions;
import io.connguard.infra.postgres.PostgresServer;
import io.connguard.infra.process.ServiceProcess;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Everything the drill runs, started in dependency order and stopped in reverse by {@link #close()} (also from a
 * shutdown hook on Ctrl-C): the KRaft broker, the target PostgreSQL with a small {@code max_connections}, the audit
 * database, the simulated Kubernetes cluster, the StarForge workload that follows it, and the three packaged
 * services. Temporary data (broker log dir, database clusters) is deleted on close; service logs stay in the work
 * directory. The services run as in production: a random operator token, made for this run, is the only way to
 * change the mitigator or to read the audit API.
 */
public final class Stack implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Stack.class);

    /** The target's id: the events' subject and Kafka key. */
    public static final String TARGET = "starforge";
    /** Namespace of the mitigator's state and control ConfigMaps. */
    public static final String CONNGUARD_NAMESPACE = "connguard";

    public static final int MAX_CONNECTIONS = 60;
    // the detector, the mitigator and the drill's gauge each hold one superuser connection: they must get in
    // while ordinary slots are exhausted (PostgreSQL 15 has no pg_use_reserved_connections)
    public static final int SUPERUSER_RESERVED = 5;
    /** The StarForge applications' ordinary LOGIN role. */
    public static final String APP_ROLE = "starforge";

    public static final int WORKER_REPLICAS = 2;
    public static final int WORKER_POOL = 5;
    public static final int API_REPLICAS = 2;
    public static final int API_POOL = 3;

    /** The principal of the drill's operator token: the audit trail names it for any change the drill makes. */
    public static final String OPERATOR = "drill";

    private static final Duration READY = Duration.ofSeconds(120);

    /** What to run and where. */
    public record Options(Path repoRoot, Path workDir, Optional<Path> policyFile, Map<String, String> detectorConfig) {}

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private KafkaBroker kafka;
    private PostgresServer target;
    private PostgresServer auditDb;
    private KubernetesCrudServer kubernetes;
    private StarforgeCluster cluster;
    private Workload workload;
    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    private String operatorToken;
    private volatile boolean closed;

    private Stack() {}

    /** Starts everything and returns once the services are ready; stops what it started if a part fails. */
    public static Stack start(Options options, PrintStream out) throws Exception {
        Stack stack = new Stack();
        try {
            stack.startInfrastructure(out);
            stack.startServices(options, out);
            return stack;
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
    }

    private void startInfrastructure(PrintStream out) {
        long t0 = System.nanoTime();
        kafka = remember(KafkaBroker.start());
        kafka.createTopics(Topics.PRESSURE, Topics.ACTIONS, Topics.PRESSURE_DLQ, Topics.ACTIONS_DLQ);
        out.printf("  kafka       %s (KRaft, in-process)%n", kafka.bootstrapServers());

        target = remember(PostgresServer.start(PostgresOptions.defaults()
                .maxConnections(MAX_CONNECTIONS)
                .superuserReservedConnections(SUPERUSER_RESERVED)));
        target.createDatabase(TARGET);
        target.execute("postgres", "CREATE ROLE " + APP_ROLE + " LOGIN");
        target.execute(TARGET, Workload.SCHEMA_SQL);
        target.execute(TARGET, "GRANT SELECT, INSERT, UPDATE ON jobs TO " + APP_ROLE);
        target.execute(TARGET, "GRANT USAGE ON SEQUENCE jobs_id_seq TO " + APP_ROLE);
        out.printf(
                "  postgres    %s:%d target, max_connections=%d (%d usable by applications)%n",
                target.host(), target.port(), MAX_CONNECTIONS, usableConnections());

        auditDb = remember(PostgresServer.start());
        auditDb.createDatabase("audit");
        out.printf("  postgres    %s:%d audit database%n", auditDb.host(), auditDb.port());

        kubernetes = remember(KubernetesCrudServer.start());
        cluster = new StarforgeCluster(kubernetes.client());
        cluster.seed(WORKER_REPLICAS, WORKER_POOL, API_REPLICAS, API_POOL);
        out.printf(
                "  kubernetes  %s namespace %s: etl-worker %dx%d, api %dx%d, %s %s=true%n",
                kubernetes.url(),
                StarforgeCluster.NAMESPACE,
                WORKER_REPLICAS,
                WORKER_POOL,
                API_REPLICAS,
                API_POOL,
                StarforgeCluster.FLAGS,
                StarforgeCluster.INGESTION_FLAG);

        workload = remember(new Workload(cluster, target.jdbcUrl(TARGET), APP_ROLE));
        workload.start();
        out.printf(
                "  workload    StarForge: each replica holds PG_POOL_MAX connections as role %s (infra up in %.1f s)%n",
                APP_ROLE, (System.nanoTime() - t0) / 1e9);
    }

    private void startServices(Options options, PrintStream out) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        String bootstrap = kafka.bootstrapServers();
        String tokens = writeOperatorToken(options.workDir()).toString();
        Map<String, String> audit = new LinkedHashMap<>();
        audit.put("kafka.bootstrap.servers", bootstrap);
        audit.put("connguard.auth.tokens-dir", tokens);
        audit.put("connguard.auth.read-requires-token", "true");
        audit.put("quarkus.datasource.jdbc.url", auditDb.jdbcUrl("audit"));
        audit.put("quarkus.datasource.username", auditDb.superuser());
        audit.put("quarkus.datasource.password", auditDb.password());
        start("audit-service", options, audit);

        Map<String, String> mitigator = new LinkedHashMap<>();
        mitigator.put("kafka.bootstrap.servers", bootstrap);
        mitigator.put("connguard.auth.tokens-dir", tokens);
        mitigator.put("quarkus.kubernetes-client.api-server-url", kubernetes.url());
        mitigator.put("quarkus.kubernetes-client.namespace", CONNGUARD_NAMESPACE);
        mitigator.put("quarkus.kubernetes-client.trust-certs", "true");
        mitigator.put("connguard.mitigator.namespace", CONNGUARD_NAMESPACE);
        String m = "connguard.mitigator.targets." + TARGET + ".";
        mitigator.put(m + "host", target.host());
        mitigator.put(m + "port", Integer.toString(target.port()));
        mitigator.put(m + "database", TARGET);
        mitigator.put(m + "user", target.superuser());
        if (!target.password().isEmpty()) {
            mitigator.put(m + "password", target.password());
        }
        options.policyFile()
                .ifPresent(policy -> mitigator.put(
                        "connguard.mitigator.policy-file",
                        policy.toAbsolutePath().toString()));
        start("mitigator-service", options, mitigator);

        Map<String, String> detector = new LinkedHashMap<>();
        detector.put("kafka.bootstrap.servers", bootstrap);
        String d = "connguard.detector.targets." + TARGET + ".";
        detector.put(d + "host", target.host());
        detector.put(d + "port", Integer.toString(target.port()));
        detector.put(d + "user", target.superuser());
        if (!target.password().isEmpty()) {
            detector.put(d + "password", target.password());
        }
        options.detectorConfig().forEach((key, value) -> detector.put(d + key, value));
        start("detector-service", options, detector);

        for (ServiceProcess service : services.values()) {
            service.awaitReady(READY);
            out.printf("  %-11s %s ready%n", service.name().replace("-service", ""), service.url(""));
        }
        out.printf("  services ready in %.1f s (logs in %s)%n", (System.nanoTime() - t0) / 1e9, options.workDir());
    }

    /** A fresh random token for {@value #OPERATOR}, in a token directory as a mounted Secret would give it. */
    private Path writeOperatorToken(Path workDir) throws IOException {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        operatorToken = HexFormat.of().formatHex(random);
        Path dir = Files.createDirectories(workDir.resolve("tokens"));
        Path file = dir.resolve(OPERATOR);
        Files.writeString(file, operatorToken);
        // readable by the owner only: it is a credential, if one for a throwaway stack
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return dir;
    }

    private void start(String module, Options options, Map<String, String> config) throws IOException {
        int port = FreePorts.pick();
        ServiceProcess service = ServiceProcess.start(
                options.repoRoot(), module, port, config, options.workDir().resolve(module + ".log"));
        services.put(module, remember(service));
    }

    private <T extends AutoCloseable> T remember(T resource) {
        started.push(resource);
        return resource;
    }

    public int usableConnections() {
        return MAX_CONNECTIONS - SUPERUSER_RESERVED;
    }

    public KafkaBroker kafka() {
        return kafka;
    }

    public PostgresServer target() {
        return target;
    }

    public PostgresServer auditDb() {
        return auditDb;
    }

    public KubernetesCrudServer kubernetes() {
        return kubernetes;
    }

    public StarforgeCluster cluster() {
        return cluster;
    }

    public Workload workload() {
        return workload;
    }

    /** The bearer token of {@value #OPERATOR}, valid for the mitigator's and the audit service's API. */
    public String operatorToken() {
        return operatorToken;
    }

    public ServiceProcess service(String module) {
        return services.get(module);
    }

    /** What a user can connect to while the stack runs. */
    public Map<String, String> endpoints() {
        Map<String, String> urls = new LinkedHashMap<>();
        ServiceProcess audit = services.get("audit-service");
        urls.put("audit UI", audit.url("/").toString());
        urls.put("audit API", audit.url("/api/events?subject=" + TARGET).toString());
        urls.put(
                "API token (" + OPERATOR + ")",
                operatorToken + "   (curl -H 'Authorization: Bearer " + operatorToken + "' ...; the UI asks for it)");
        urls.put(
                "kill switch",
                services.get("mitigator-service").url("/api/automation/kill-switch")
                        + "   (POST / DELETE with the token and {\"reason\": \"...\"})");
        urls.put(
                "detector API",
                services.get("detector-service").url("/api/targets").toString());
        for (ServiceProcess service : services.values()) {
            urls.put(
                    service.name().replace("-service", "") + " metrics",
                    service.url("/q/metrics").toString());
        }
        urls.put("OpenAPI (each service)", "/q/openapi");
        urls.put("Kafka bootstrap", kafka.bootstrapServers());
        urls.put(
                "PostgreSQL target",
                "postgresql://" + APP_ROLE + "@" + target.host() + ":" + target.port() + "/" + TARGET
                        + "   (superuser: " + target.superuser() + ")");
        urls.put(
                "PostgreSQL audit",
                "postgresql://" + auditDb.superuser() + "@" + auditDb.host() + ":" + auditDb.port() + "/audit");
        urls.put(
                "Kubernetes API", kubernetes.url() + "   (kubectl --server " + kubernetes.url() + " -n starforge ...)");
        return urls;
    }

    /** Stops everything that was started, newest first; safe to call twice and from a shutdown hook. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // all services at once: each takes seconds to stop, and they must be gone before their broker and databases
        services.values().forEach(ServiceProcess::stop);
        while (!started.isEmpty()) {
            AutoCloseable resource = started.pop();
            try {
                resource.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.warnf("stopping %s failed: %s", resource, e.getMessage());
            }
        }
    }
}
