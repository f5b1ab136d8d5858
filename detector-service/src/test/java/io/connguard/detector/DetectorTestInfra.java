package io.connguard.detector;

import io.connguard.infra.FreePorts;
import io.connguard.infra.SharedInfra;
import io.connguard.infra.pgbouncer.PgBouncer;
import io.connguard.infra.pgbouncer.PgBouncerOptions;
import io.connguard.infra.postgres.PostgresOptions;
import io.connguard.infra.postgres.PostgresServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * The real infrastructure every detector test runs against: the shared Kafka broker, one PostgreSQL cluster with a
 * small max_connections and a PgBouncer in front of it, configured as target {@value #TARGET} (probe as superuser, so
 * it keeps a reserved slot when the server is full), and target {@value #SPARE}, whose endpoint is a second PgBouncer
 * on a fixed port that tests start and stop to make the target disappear and come back.
 */
public class DetectorTestInfra implements QuarkusTestResourceLifecycleManager {

    public static final String TARGET = "main";
    public static final String SPARE = "spare";
    /** 20 slots - 3 reserved for superusers = 17 usable. */
    public static final int MAX_CONNECTIONS = 20;
    /** An ordinary role, as applications have: refused when the usable slots are gone. */
    public static final String APP_ROLE = "app";
    /** The spare target's probe role: pg_monitor, no superuser. */
    public static final String PROBE_ROLE = "connguard_probe";
    /** Server connections per pool in the pooler: small, so a test can make clients queue. */
    public static final int POOL_SIZE = 2;

    private static PostgresServer target;
    private static PgBouncer pooler;
    private static int sparePort;

    public static PostgresServer target() {
        return target;
    }

    public static PgBouncer pooler() {
        return pooler;
    }

    /** Starts the spare target's endpoint: a PgBouncer in front of the same cluster, on the configured port. */
    public static PgBouncer startSpareEndpoint() {
        return PgBouncer.start(
                target, PgBouncerOptions.defaults().users(PROBE_ROLE).port(sparePort));
    }

    @Override
    public Map<String, String> start() {
        registerJdbcDriver();
        target = PostgresServer.start(PostgresOptions.defaults().maxConnections(MAX_CONNECTIONS));
        target.execute("postgres", "CREATE ROLE " + APP_ROLE + " LOGIN");
        target.execute("postgres", "CREATE ROLE " + PROBE_ROLE + " LOGIN IN ROLE pg_monitor");
        target.execute("postgres", "CREATE TABLE accounts (id int PRIMARY KEY, owner text, balance numeric)");
        target.execute("postgres", "INSERT INTO accounts VALUES (1, 'alice', 100), (2, 'bob', 50)");
        target.execute("postgres", "GRANT ALL ON accounts TO " + APP_ROLE);
        pooler = PgBouncer.start(
                target, PgBouncerOptions.defaults().users("postgres", APP_ROLE).defaultPoolSize(POOL_SIZE));
        sparePort = FreePorts.pick();

        Map<String, String> config = new HashMap<>();
        config.put("kafka.bootstrap.servers", SharedInfra.kafka().bootstrapServers());
        config.put("connguard.detector.periodic-update", "1s");
        config.put("connguard.detector.heartbeat", "1s");
        config.put("connguard.detector.probe.reconnect-initial-backoff", "200ms");
        config.put("connguard.detector.probe.reconnect-max-backoff", "1s");
        String main = "connguard.detector.targets." + TARGET + ".";
        config.put(main + "host", target.host());
        config.put(main + "port", Integer.toString(target.port()));
        config.put(main + "user", target.superuser());
        config.put(main + "sample-interval", "200ms");
        config.put(main + "thresholds.hold-down", "1s");
        config.put(main + "thresholds.resolve-after", "2s");
        config.put(main + "thresholds.pooler-max-wait", "1s");
        config.put(main + "pgbouncer.host", pooler.host());
        config.put(main + "pgbouncer.port", Integer.toString(pooler.port()));
        config.put(main + "pgbouncer.user", pooler.adminUser());
        String spare = "connguard.detector.targets." + SPARE + ".";
        config.put(spare + "host", "127.0.0.1");
        config.put(spare + "port", Integer.toString(sparePort));
        config.put(spare + "user", PROBE_ROLE);
        config.put(spare + "sample-interval", "200ms");
        return config;
    }

    /**
     * DriverManager only hands a driver to callers whose class loader can see the class that registered it; Quarkus
     * may have registered pgjdbc from another loader first, so register it from this one.
     */
    static void registerJdbcDriver() {
        try {
            Class.forName("org.postgresql.Driver", true, DetectorTestInfra.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("pgjdbc is a test dependency via local-infra", e);
        }
    }

    @Override
    public void stop() {
        if (pooler != null) {
            pooler.close();
        }
        if (target != null) {
            target.close();
        }
    }
}
