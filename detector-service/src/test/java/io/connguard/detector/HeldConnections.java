package io.connguard.detector;

import io.connguard.infra.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Client connections a test holds open to raise a server's connection count; {@link #close()} releases them. */
final class HeldConnections implements AutoCloseable {

    private final PostgresServer server;
    private final List<Connection> held = new ArrayList<>();

    HeldConnections(PostgresServer server) {
        this.server = server;
    }

    /** Opens {@code count} more connections as the superuser. */
    void open(int count) throws SQLException {
        for (int i = 0; i < count; i++) {
            held.add(DriverManager.getConnection(server.jdbcUrl(), server.superuser(), server.password()));
        }
    }

    @Override
    public void close() throws SQLException {
        for (Connection c : held) {
            c.close();
        }
        held.clear();
    }
}
