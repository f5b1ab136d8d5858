package io.connguard.mitigator;

import io.connguard.infra.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Real sessions a test opens in the target database: long queries, idle transactions, a replication connection. */
public final class Sessions implements AutoCloseable {

    private final PostgresServer server = MitigatorTestInfra.postgres();
    private final List<Connection> connections = new ArrayList<>();
    private final ExecutorService running = Executors.newCachedThreadPool();

    /** A session running {@code pg_sleep(60)}; returns its pid. */
    public int longQuery(String user, String application) throws SQLException {
        Connection c = connect(user, application, new Properties());
        int pid = pid(c);
        running.submit(() -> {
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_sleep(60)");
            } catch (SQLException expected) {
                // cancelled or terminated by the mitigator, or closed by the test
            }
        });
        return pid;
    }

    /** A session whose statement swallows cancels (only a terminate ends it); returns its pid. */
    int cancelResistantQuery(String user, String application) throws SQLException {
        Connection c = connect(user, application, new Properties());
        int pid = pid(c);
        running.submit(() -> {
            try (Statement st = c.createStatement()) {
                st.execute("DO $$ BEGIN FOR i IN 1..600 LOOP BEGIN PERFORM pg_sleep(0.1);"
                        + " EXCEPTION WHEN query_canceled THEN NULL; END; END LOOP; END $$");
            } catch (SQLException expected) {
                // terminated by the mitigator, or closed by the test
            }
        });
        return pid;
    }

    /** A session that opened a transaction and went idle in it; returns its pid. */
    int idleInTransaction(String user, String application) throws SQLException {
        Connection c = connect(user, application, new Properties());
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("SELECT 1");
        }
        return pid(c);
    }

    /** A walsender: a logical replication connection (pgjdbc needs the simple query mode for it). */
    int replication() throws SQLException {
        Properties props = new Properties();
        props.setProperty("replication", "database");
        props.setProperty("preferQueryMode", "simple");
        props.setProperty("assumeMinServerVersion", "9.4");
        Connection c = connect(server.superuser(), "replica", props);
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("IDENTIFY_SYSTEM")) {
            rs.next();
        }
        try (Connection admin = connect(server.superuser(), "test-admin", new Properties());
                Statement st = admin.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT pid FROM pg_stat_activity WHERE backend_type = 'walsender' ORDER BY backend_start DESC")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Opens {@code user} sessions until the server refuses one (53300: only superuser slots left); returns how many. */
    int fillOrdinarySlots(String user) throws SQLException {
        for (int opened = 0; opened < 200; opened++) {
            try {
                connect(user, "filler", new Properties());
            } catch (SQLException e) {
                if ("53300".equals(e.getSQLState())) {
                    return opened;
                }
                throw e;
            }
        }
        throw new IllegalStateException("the server accepted 200 more sessions: it is not the small test server");
    }

    /** Client sessions of {@code application} connected to {@code database}. */
    int sessions(String database, String application) throws SQLException {
        try (Connection c = connect(server.superuser(), "test-admin", new Properties());
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = '" + database
                        + "' AND application_name = '" + application + "'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** The pid's state in pg_stat_activity, or "gone" when the backend no longer exists. */
    public String state(int pid) throws SQLException {
        try (Connection c = connect(server.superuser(), "test-admin", new Properties());
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT coalesce(state, backend_type) FROM pg_stat_activity WHERE pid = " + pid)) {
            return rs.next() ? rs.getString(1) : "gone";
        }
    }

    public String superuser() {
        return server.superuser();
    }

    private Connection connect(String user, String application, Properties props) throws SQLException {
        props.setProperty("user", user);
        props.setProperty("password", server.password());
        props.setProperty("ApplicationName", application);
        Connection c = DriverManager.getConnection(server.jdbcUrl(), props);
        connections.add(c);
        return c;
    }

    private static int pid(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Override
    public void close() {
        for (Connection c : connections) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already ended by the mitigator
            }
        }
        running.shutdownNow();
    }
}
