package io.connguard.system.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.connguard.infra.postgres.PostgresOptions;
import io.connguard.infra.postgres.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/sql applied with psql to a real PostgreSQL cluster, as an operator would, then each role used for what
 * its service does: the detector reads every session, the mitigator cancels but reads no table, the audit ingest
 * role inserts and selects on the tables the audit service's own Flyway migrations create, and nothing more.
 */
class DatabaseRolesIT {

    private static final String DETECTOR = "connguard_detector";
    private static final String MITIGATOR = "connguard_mitigator";
    private static final String AUDIT = "connguard_audit";
    private static final String AUDIT_OWNER = "connguard_audit_owner";
    private static final String APP = "etl_worker";
    private static final Map<String, String> PASSWORDS = Map.of(
            DETECTOR, "detector-secret",
            MITIGATOR, "mitigator-secret",
            AUDIT, "audit-secret",
            AUDIT_OWNER, "owner-secret",
            APP, "app-secret");
    /** insufficient_privilege */
    private static final String DENIED = "42501";

    private static PostgresServer server;
    private static Psql psql;

    @BeforeAll
    static void applyTheScripts() {
        server = PostgresServer.start(PostgresOptions.defaults().maxConnections(30));
        psql = Psql.locate();
        Map<String, String> variables = Map.of(
                "detector_password", PASSWORDS.get(DETECTOR),
                "mitigator_password", PASSWORDS.get(MITIGATOR),
                "owner_password", PASSWORDS.get(AUDIT_OWNER),
                "audit_password", PASSWORDS.get(AUDIT));
        // twice: operators re-run them after upgrades, so they must be idempotent
        for (int run = 0; run < 2; run++) {
            for (String script : List.of("01-detector-role.sql", "02-mitigator-role.sql", "03-audit-database.sql")) {
                psql.runFile(server, "postgres", RepositoryFiles.resolve("deploy/sql/" + script), variables);
            }
        }
        // the monitored application: its own role and table, which connguard's roles must not read
        server.execute("postgres", "CREATE ROLE " + APP + " LOGIN PASSWORD '" + PASSWORDS.get(APP) + "'");
        server.execute("postgres", "CREATE TABLE jobs (id bigint PRIMARY KEY, payload text)");
        server.execute("postgres", "GRANT SELECT, INSERT ON jobs TO " + APP);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void detectorSeesEverySessionAndWritesNothing() throws Exception {
        assertThat(memberOf(DETECTOR, "pg_monitor")).isTrue();
        assertThat(isSuperuser(DETECTOR)).isFalse();
        if (serverVersion() >= 160000) {
            assertThat(memberOf(DETECTOR, "pg_use_reserved_connections")).isTrue();
        }

        try (Connection app = connect(APP, "postgres");
                Connection detector = connect(DETECTOR, "postgres")) {
            int pid = backendPid(app);
            CompletableFuture<Void> sleeping = runAsync(app, "SELECT pg_sleep(30)");
            try {
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                    try (Statement s = detector.createStatement();
                            ResultSet rs = s.executeQuery(
                                    "SELECT state, query, query_start FROM pg_stat_activity WHERE pid = " + pid)) {
                        assertThat(rs.next()).isTrue();
                        // without pg_monitor these are NULL / <insufficient privilege> for another role's session
                        assertThat(rs.getString("state")).isEqualTo("active");
                        assertThat(rs.getString("query")).contains("pg_sleep");
                        assertThat(rs.getTimestamp("query_start")).isNotNull();
                    }
                });
            } finally {
                cancel(pid);
                sleeping.handle((ignored, error) -> null).get(5, TimeUnit.SECONDS);
            }
            assertThatThrownBy(() -> execute(detector, "CREATE TABLE detector_was_here (id int)"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState())
                            .isEqualTo("25006")); // read_only_sql_transaction
        }
    }

    @Test
    void mitigatorCancelsAnotherRolesQueryButReadsNoTableAndNoSuperuserSession() throws Exception {
        assertThat(memberOf(MITIGATOR, "pg_signal_backend")).isTrue();
        assertThat(memberOf(MITIGATOR, "pg_read_all_stats")).isTrue();
        assertThat(isSuperuser(MITIGATOR)).isFalse();

        try (Connection app = connect(APP, "postgres");
                Connection mitigator = connect(MITIGATOR, "postgres")) {
            int pid = backendPid(app);
            CompletableFuture<Void> longQuery = runAsync(app, "SELECT pg_sleep(30)");
            awaitActive(mitigator, pid);

            assertThat(queryBoolean(mitigator, "SELECT pg_cancel_backend(" + pid + ")"))
                    .isTrue();
            assertThatThrownBy(() -> longQuery.get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasRootCauseInstanceOf(SQLException.class)
                    .rootCause()
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("57014")); // query_canceled

            assertThatThrownBy(() -> execute(mitigator, "SELECT * FROM jobs"))
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo(DENIED));
        }

        try (Connection superuser =
                        DriverManager.getConnection(server.jdbcUrl("postgres"), server.superuser(), server.password());
                Connection mitigator = connect(MITIGATOR, "postgres")) {
            int pid = backendPid(superuser);
            assertThatThrownBy(() -> queryBoolean(mitigator, "SELECT pg_cancel_backend(" + pid + ")"))
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo(DENIED));
        }
    }

    @Test
    void auditIngestRoleMayOnlyInsertAndSelectOnTheTablesTheServiceMigrates() throws Exception {
        Path migrations = RepositoryFiles.resolve("audit-service/src/main/resources/db/migration");
        Flyway.configure()
                .dataSource(server.jdbcUrl("connguard_audit"), AUDIT_OWNER, PASSWORDS.get(AUDIT_OWNER))
                .locations("filesystem:" + migrations)
                .load()
                .migrate();
        // the first start created the Flyway history with the default privileges; the re-run withdraws them
        psql.runFile(
                server,
                "postgres",
                RepositoryFiles.resolve("deploy/sql/03-audit-database.sql"),
                Map.of("owner_password", PASSWORDS.get(AUDIT_OWNER), "audit_password", PASSWORDS.get(AUDIT)));

        try (Connection audit = connect(AUDIT, "connguard_audit")) {
            List<String> tables = tables(audit);
            assertThat(tables).as("tables created by the audit migrations").isNotEmpty();
            Map<String, List<String>> designed = designedAuditGrants();
            assertThat(tables)
                    .as("the tables audit-service/DESIGN.md grants on")
                    .containsAll(designed.keySet());
            for (String table : tables) {
                List<String> privileges = privileges(audit, table);
                if (designed.containsKey(table)) {
                    assertThat(privileges)
                            .as("privileges of %s on %s (audit-service/DESIGN.md)", AUDIT, table)
                            .containsExactlyInAnyOrderElementsOf(designed.get(table));
                } else {
                    assertThat(privileges)
                            .as("privileges of %s on %s, a table DESIGN.md does not name", AUDIT, table)
                            .isSubsetOf("SELECT", "INSERT");
                }
                execute(audit, "SELECT count(*) FROM " + table);
                assertThatThrownBy(() -> execute(audit, "DELETE FROM " + table))
                        .satisfies(e ->
                                assertThat(((SQLException) e).getSQLState()).isEqualTo(DENIED));
            }
            assertThat(privileges(audit, "flyway_schema_history")).isEmpty();

            // what the service does with them: store an event (the chain and incident triggers run) and read it back
            execute(audit, """
                    INSERT INTO event (event_id, source, type, subject, time, incident_id, data,
                                       kafka_topic, kafka_partition, kafka_offset)
                    VALUES ('e-1', 'urn:connguard:detector', 'io.connguard.pressure.changed.v1', 'starforge', now(),
                            'inc-1', '{"level":"CRITICAL"}', 'connguard.pressure', 0, 0)
                    ON CONFLICT ON CONSTRAINT event_identity DO NOTHING
                    """);
            assertThat(queryBoolean(audit, "SELECT count(*) = 1 FROM event WHERE event_id = 'e-1'"))
                    .isTrue();
            assertThat(queryBoolean(audit, "SELECT count(*) = 1 FROM incident WHERE incident_id = 'inc-1'"))
                    .as("the incident projection runs with the owner's rights")
                    .isTrue();
            assertThatThrownBy(() -> execute(audit, "UPDATE event SET subject = 'forged'"))
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo(DENIED));
            assertThatThrownBy(() -> execute(audit, "CREATE TABLE ingest_was_here (id int)"))
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo(DENIED));
            // no schema change either: the long-running service holds this role only (the owner migrates, in the
            // Deployment's init container)
            for (String change : List.of(
                    "DROP TABLE event",
                    "ALTER TABLE event DISABLE TRIGGER event_append_only",
                    "ALTER TABLE event ADD COLUMN forged text",
                    "TRUNCATE event")) {
                assertThatThrownBy(() -> execute(audit, change))
                        .as(change)
                        .satisfies(e ->
                                assertThat(((SQLException) e).getSQLState()).isEqualTo(DENIED));
            }
        }
        try (Connection other = connect(MITIGATOR, "postgres")) {
            assertThat(queryBoolean(other, "SELECT has_database_privilege('connguard_audit', 'CONNECT')"))
                    .as("only the audit roles may connect to the audit database")
                    .isFalse();
        }
    }

    /**
     * Table grants to connguard_audit in the SQL of audit-service/DESIGN.md's "Database roles and grants", the
     * audit service's own statement of what it needs, e.g. {@code GRANT SELECT, INSERT ON event, quarantine TO ...}.
     */
    private static Map<String, List<String>> designedAuditGrants() throws Exception {
        String design = Files.readString(RepositoryFiles.resolve("audit-service/DESIGN.md"));
        int section = design.indexOf("## Database roles and grants");
        assertThat(section)
                .as("audit-service/DESIGN.md has a 'Database roles and grants' section")
                .isNotNegative();
        Matcher grants = Pattern.compile("GRANT ([A-Z, ]+) ON (?!SCHEMA|SEQUENCE)([a-z_, ]+) TO " + AUDIT + ";")
                .matcher(design.substring(section));
        Map<String, List<String>> designed = new TreeMap<>();
        while (grants.find()) {
            List<String> privileges = List.of(grants.group(1).trim().split("\\s*,\\s*"));
            for (String table : grants.group(2).trim().split("\\s*,\\s*")) {
                designed.computeIfAbsent(table, t -> new ArrayList<>()).addAll(privileges);
            }
        }
        assertThat(designed)
                .as("table grants parsed from audit-service/DESIGN.md")
                .isNotEmpty();
        return designed;
    }

    private static Connection connect(String role, String database) throws SQLException {
        return DriverManager.getConnection(server.jdbcUrl(database), role, PASSWORDS.get(role));
    }

    private static int backendPid(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static CompletableFuture<Void> runAsync(Connection connection, String sql) {
        return CompletableFuture.runAsync(() -> {
            try {
                execute(connection, sql);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static void awaitActive(Connection observer, int pid) {
        await().atMost(Duration.ofSeconds(5))
                .until(() -> queryBoolean(
                        observer,
                        "SELECT EXISTS (SELECT FROM pg_stat_activity WHERE state = 'active' AND pid = " + pid + ")"));
    }

    private static void cancel(int pid) {
        server.execute("postgres", "SELECT pg_cancel_backend(" + pid + ")");
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute(sql);
        }
    }

    private static boolean queryBoolean(Connection connection, String sql) throws SQLException {
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static boolean memberOf(String role, String group) throws SQLException {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.superuser(), server.password())) {
            return queryBoolean(c, "SELECT pg_has_role('" + role + "', '" + group + "', 'MEMBER')");
        }
    }

    private static boolean isSuperuser(String role) throws SQLException {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.superuser(), server.password())) {
            return queryBoolean(c, "SELECT rolsuper FROM pg_roles WHERE rolname = '" + role + "'");
        }
    }

    private static int serverVersion() throws SQLException {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.superuser(), server.password());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_setting('server_version_num')::int")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static List<String> tables(Connection connection) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                        + " AND tablename <> 'flyway_schema_history' ORDER BY tablename")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        return tables;
    }

    private static List<String> privileges(Connection connection, String table) throws SQLException {
        List<String> granted = new ArrayList<>();
        for (String privilege : List.of("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")) {
            if (queryBoolean(
                    connection,
                    "SELECT has_table_privilege('" + AUDIT + "', 'public." + table + "', '" + privilege + "')")) {
                granted.add(privilege);
            }
        }
        return granted;
    }
}
