package io.connguard.mitigator;

import io.connguard.infra.SharedInfra;
import io.connguard.infra.kubernetes.KubernetesCrudServer;
import io.connguard.infra.postgres.PostgresOptions;
import io.connguard.infra.postgres.PostgresServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The real infrastructure every mitigator test runs against, started once per test JVM: the shared Kafka broker,
 * a PostgreSQL cluster the tests open sessions in, and the Kubernetes CRUD server. Each scenario uses its own
 * target id, namespace and policy (per-target policy files), so scenarios do not see each other's objects.
 */
public class MitigatorTestInfra implements QuarkusTestResourceLifecycleManager {

    /** Role the mitigator connects as: only pg_signal_backend and pg_read_all_stats, as DESIGN.md requires. */
    public static final String MITIGATOR_ROLE = "connguard_mitigator";

    private static PostgresServer postgres;
    private static KubernetesCrudServer kubernetes;
    private static final WebhookRecorder WEBHOOKS = new WebhookRecorder();

    /** Bearer token of the principal {@code alice}, an operator. */
    public static final String OPERATOR_TOKEN = "alice-token-0123456789abcdef";
    /** Bearer token of the principal {@code viewer}, whose only role is reader. */
    public static final String READER_TOKEN = "viewer-token-0123456789abcdef";

    /** The target whose mitigator connection is alone in its database, so a test can see it open. */
    static final String EXHAUSTED = "exhausted-db";

    /** The target whose held connection the session adapter's own tests signal over; no scenario drives it. */
    public static final String SIGNAL = "signal-db";

    /** Scenario targets and their policies; {@code %s} in a policy is replaced by the target's namespace. */
    static final Map<String, String> POLICIES = Map.ofEntries(
            Map.entry("ladder-db", Policies.LADDER),
            Map.entry("dryrun-db", Policies.DRY_RUN),
            Map.entry("guard-db", Policies.GUARDED),
            Map.entry("kill-db", Policies.LADDER),
            Map.entry("dup-db", Policies.LADDER),
            Map.entry("race-db", Policies.LADDER),
            Map.entry("restart-db", Policies.LADDER),
            Map.entry("hpa-db", Policies.LADDER),
            Map.entry("hook-db", Policies.WEBHOOKS),
            Map.entry("sweep-db", Policies.SWEEP),
            Map.entry(EXHAUSTED, Policies.EXHAUSTED),
            Map.entry("bench-cancel-db", Policies.BENCH_CANCEL),
            Map.entry("healthy-db", Policies.LADDER + Policies.STRICT_EVIDENCE),
            Map.entry("lease-db", Policies.LADDER + Policies.SHORT_LEASE),
            Map.entry("operator-db", Policies.LADDER),
            Map.entry("episodes-db", Policies.LADDER),
            Map.entry("apiretry-db", Policies.KUBERNETES_STEPS),
            Map.entry("apioutage-db", Policies.KUBERNETES_STEPS),
            Map.entry(SIGNAL, Policies.LADDER));

    /**
     * Targets on the built-in policy: configured so that the mitigator acts for them (an unconfigured target's events
     * are dead-lettered); the built-in policy's Kubernetes objects do not exist in the CRUD server.
     */
    static final List<String> BUILT_IN_POLICY_TARGETS = List.of("db-a", "db-b", "after-forged-db", "after-flood-db");

    /** Targets per action kind the benchmark may use. */
    public static final int BENCH_TARGETS = 60;

    // the benchmark's targets each hold a database connection: configured (and room made for them) only when it runs
    private static final boolean BENCHMARK = System.getProperty("groups", "").contains("benchmark");

    @Override
    public synchronized Map<String, String> start() {
        if (postgres == null) {
            postgres = PostgresServer.start(
                    PostgresOptions.defaults().maxConnections(BENCHMARK ? 2 * BENCH_TARGETS + 60 : 40));
            postgres.execute("postgres", "CREATE ROLE " + MITIGATOR_ROLE + " LOGIN");
            postgres.execute("postgres", "GRANT pg_signal_backend, pg_read_all_stats TO " + MITIGATOR_ROLE);
            postgres.execute("postgres", "CREATE ROLE app_user LOGIN");
            postgres.execute("postgres", "CREATE DATABASE exhausted");
            kubernetes = KubernetesCrudServer.start();
        }
        Map<String, String> config = new HashMap<>();
        config.put("kafka.bootstrap.servers", SharedInfra.kafka().bootstrapServers());
        config.put("quarkus.kubernetes-client.api-server-url", kubernetes.url());
        config.put("quarkus.kubernetes-client.namespace", "connguard");
        config.put("quarkus.kubernetes-client.trust-certs", "true");
        config.put("connguard.mitigator.tick", "200ms");
        try {
            // the token directory as a mounted Secret gives it: one file per principal
            Path tokens = Files.createTempDirectory("connguard-tokens");
            Files.writeString(tokens.resolve("alice"), OPERATOR_TOKEN + "\n");
            Files.writeString(tokens.resolve("viewer"), READER_TOKEN + "\n");
            config.put("connguard.auth.tokens-dir", tokens.toString());
            config.put("connguard.auth.roles.viewer", "reader");
            Path dir = Files.createTempDirectory("connguard-policies");
            for (var entry : POLICIES.entrySet()) {
                String target = entry.getKey();
                Path file = dir.resolve(target + ".yaml");
                String policy = entry.getValue().contains("evidence:")
                        ? entry.getValue()
                        : entry.getValue() + Policies.SYNTHETIC_CLAIMS;
                Files.writeString(
                        file,
                        policy.replace("%s", namespace(target))
                                .replace("%flag-url", WEBHOOKS.url("/flags/ingestion"))
                                .replace("%notify-url", WEBHOOKS.url("/slack")));
                String prefix = database(config, target);
                config.put(prefix + "policy-file", file.toString());
                if (target.equals(EXHAUSTED)) {
                    config.put(prefix + "database", "exhausted");
                }
            }
            // the built-in policy for the targets that use it, confirming synthetic claims like the scenarios' policies
            Path shipped = dir.resolve("built-in.yaml");
            Files.writeString(shipped, Policies.shipped());
            BUILT_IN_POLICY_TARGETS.forEach(
                    target -> config.put(database(config, target) + "policy-file", shipped.toString()));
            // the benchmark needs a fresh target per measured scale or flag action (each acts once per target), each
            // with the database connection its claims are confirmed over: only when the benchmark runs
            for (int i = 0; i < (BENCHMARK ? BENCH_TARGETS : 0); i++) {
                for (String kind : List.of("flag", "scale")) {
                    String target = "bench-" + kind + "-" + i;
                    Path file = dir.resolve(target + ".yaml");
                    String policy = kind.equals("flag") ? Policies.BENCH_FLAG : Policies.BENCH_SCALE;
                    Files.writeString(file, policy.replace("%s", namespace(target)) + Policies.SYNTHETIC_CLAIMS);
                    config.put(database(config, target) + "policy-file", file.toString());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return config;
    }

    /** Points the target at the test cluster as the mitigator's role; returns the target's key prefix. */
    private static String database(Map<String, String> config, String target) {
        String prefix = "connguard.mitigator.targets." + target + ".";
        config.put(prefix + "host", postgres.host());
        config.put(prefix + "port", Integer.toString(postgres.port()));
        config.put(prefix + "user", MITIGATOR_ROLE);
        return prefix;
    }

    @Override
    public void stop() {}

    public static String namespace(String target) {
        return target.replace("-db", "");
    }

    public static PostgresServer postgres() {
        return postgres;
    }

    static WebhookRecorder webhooks() {
        return WEBHOOKS;
    }

    public static KubernetesCrudServer kubernetes() {
        return kubernetes;
    }

    /** Test policies: short windows and soaks so a whole incident plays out in seconds. */
    static final class Policies {
        /**
         * Appended to every policy without its own {@code evidence}: the scenarios' claims are synthetic and the shared
         * server is not full, so the mitigator's own sample confirms a claim as long as it can read the target at all.
         * The confirmation itself is tested with the shipped defaults ({@code STRICT_EVIDENCE}).
         */
        static final String SYNTHETIC_CLAIMS = "evidence: {confirm-tolerance: 0.99}\n";

        /** The policy shipped in the jar, as a file, confirming synthetic claims like {@link #SYNTHETIC_CLAIMS}. */
        static String shipped() {
            try (var in = MitigatorTestInfra.class.getClassLoader().getResourceAsStream("default-policy.yaml")) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                        .replace("confirm-tolerance: 0.10", "confirm-tolerance: 0.99");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The shipped evidence rules: a claim the shared, nearly idle server does not bear out changes nothing. */
        static final String STRICT_EVIDENCE = "evidence: {max-age: 10s}\n";

        /** Claims confirmed as in the scenarios, and an open episode expires 3 s after its last fresh claim. */
        static final String SHORT_LEASE = "evidence: {confirm-tolerance: 0.99, max-age: 3s, timeout: 3s}\n";

        static final String LADDER = """
                ladder:
                  - name: pause-ingestion
                    action:
                      kind: pause-ingestion
                      flag: {config-map: {namespace: %s, name: flags, key: ingestion-enabled,
                                          paused-value: "false", resumed-value: "true"}}
                    verify: {window: 1s, improvement: 0.1}
                  - name: scale-etl-worker-down
                    action: {kind: scale-workload, workload: {kind: Deployment, namespace: %s, name: etl-worker},
                             replicas: 1}
                    verify: {window: 1s, improvement: 0.1}
                  - name: cancel-long-queries
                    when: {min-level: CRITICAL}
                    action: {kind: cancel-queries, min-duration: 1s}
                    verify: {window: 1s, improvement: 0.1}
                  - name: terminate-idle-in-transaction
                    when: {min-level: CRITICAL, min-idle-in-transaction: 1}
                    action: {kind: terminate-idle-in-transaction, older-than: 1s}
                    verify: {window: 1s, improvement: 0.1}
                  - name: shrink-pools
                    when: {min-level: CRITICAL}
                    action: {kind: shrink-pool, workload: {kind: Deployment, namespace: %s, name: api},
                             env: PG_POOL_MAX, value: 5}
                recovery: {ok-soak: 2s, soak: 1s}
                guardrails: {cooldown: 0s, max-actions-per-incident: 10, max-actions-per-hour: 100}
                protected: {applications: ["pg_monitor*"]}
                """;

        static final String DRY_RUN = "mode: dry-run\n" + LADDER;

        /** Only Kubernetes steps, all from ELEVATED: the API fault scenarios, which must signal no session. */
        static final String KUBERNETES_STEPS = """
                ladder:
                  - name: pause-ingestion
                    action:
                      kind: pause-ingestion
                      flag: {config-map: {namespace: %s, name: flags, key: ingestion-enabled,
                                          paused-value: "false", resumed-value: "true"}}
                    verify: {window: 1s, improvement: 0.1}
                  - name: scale-etl-worker-down
                    action: {kind: scale-workload, workload: {kind: Deployment, namespace: %s, name: etl-worker},
                             replicas: 1}
                    verify: {window: 1s, improvement: 0.1}
                  - name: shrink-pools
                    action: {kind: shrink-pool, workload: {kind: Deployment, namespace: %s, name: api},
                             env: PG_POOL_MAX, value: 5}
                recovery: {ok-soak: 2s, soak: 1s}
                guardrails: {cooldown: 0s, max-actions-per-incident: 10, max-actions-per-hour: 100}
                """;

        // the notify webhook points at a closed port: a failing webhook must not hold up anything
        static final String GUARDED = LADDER.replace("max-actions-per-incident: 10", "max-actions-per-incident: 1")
                + "notify: {url: \"http://127.0.0.1:9/slack\", timeout: 500ms}\n";

        // only the sweep scenario's own sessions: the server is shared with every other scenario
        static final String SWEEP = """
                ladder:
                  - name: terminate-idle-in-transaction
                    when: {min-idle-in-transaction: 1}
                    action: {kind: terminate-idle-in-transaction, older-than: 2s, filter: {applications: [sweep-job]}}
                    verify: {window: 500ms, improvement: 0.1}
                recovery: {ok-soak: 1s, soak: 1s}
                guardrails: {cooldown: 1h, max-actions-per-incident: 20, max-actions-per-hour: 100}
                """;

        static final String EXHAUSTED = """
                ladder:
                  - name: cancel-long-queries
                    when: {min-level: CRITICAL}
                    action: {kind: cancel-queries, min-duration: 1s, filter: {applications: [exhaust-job]}}
                guardrails: {cooldown: 0s}
                """;

        static final String WEBHOOKS = """
                ladder:
                  - name: pause-ingestion
                    action:
                      kind: pause-ingestion
                      flag:
                        webhook:
                          method: PUT
                          url: "%flag-url"
                          headers: {Content-Type: application/json}
                          pause-body: '{"flag":"ingestion","enabled":false,"target":"${target}"}'
                          resume-body: '{"flag":"ingestion","enabled":true,"target":"${target}"}'
                recovery: {ok-soak: 1s, soak: 1s}
                guardrails: {cooldown: 0s}
                notify: {url: "%notify-url"}
                """;

        private static final String BENCH_GUARDRAILS = """
                recovery: {ok-soak: 1h, soak: 1h}
                guardrails: {cooldown: 0s, max-actions-per-incident: 1000000, max-actions-per-hour: 1000000,
                             max-sessions-signalled-per-minute: 1000000, max-replica-fraction-removed: 1}
                """;

        static final String BENCH_FLAG = """
                ladder:
                  - name: pause-ingestion
                    action:
                      kind: pause-ingestion
                      flag: {config-map: {namespace: %s, name: flags, key: ingestion-enabled,
                                          paused-value: "false", resumed-value: "true"}}
                    verify: {window: 1h}
                """ + BENCH_GUARDRAILS;

        static final String BENCH_SCALE = """
                ladder:
                  - name: scale-etl-worker-down
                    action: {kind: scale-workload, workload: {kind: Deployment, namespace: %s, name: etl-worker},
                             replicas: 1}
                    verify: {window: 1h}
                """ + BENCH_GUARDRAILS;

        static final String BENCH_CANCEL = """
                ladder:
                  - name: cancel-long-queries
                    action: {kind: cancel-queries, min-duration: 1ms}
                    verify: {window: 1h}
                """ + BENCH_GUARDRAILS;
    }
}
