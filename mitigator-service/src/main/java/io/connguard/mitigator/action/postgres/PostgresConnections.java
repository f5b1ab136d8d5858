package io.connguard.mitigator.action.postgres;

import io.connguard.mitigator.config.MitigatorConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One persistent connection per target, opened on first use and reopened after a failure. Persistent because a
 * database in connection exhaustion refuses new ones: the mitigator keeps its slot (a reserved one, with
 * pg_use_reserved_connections) from before the incident. Each connection is used only by its target's actor.
 */
@ApplicationScoped
public class PostgresConnections {

    static final String APPLICATION_NAME = "connguard-mitigator";

    private final MitigatorConfig config;
    private final Map<String, Connection> open = new ConcurrentHashMap<>();

    PostgresConnections(MitigatorConfig config) {
        this.config = config;
    }

    /** The target's connection; throws when the target is not configured or cannot be reached. */
    Connection connection(String targetId) throws SQLException {
        Connection existing = open.get(targetId);
        if (existing != null && existing.isValid(2)) {
            return existing;
        }
        if (existing != null) {
            close(existing);
        }
        MitigatorConfig.Target target = config.targets().get(targetId);
        if (target == null) {
            throw new SQLException("target " + targetId + " has no connguard.mitigator.targets." + targetId
                    + ".* database configuration");
        }
        Properties props = new Properties();
        props.setProperty("user", target.user());
        password(target).ifPresent(p -> props.setProperty("password", p));
        props.setProperty("ApplicationName", APPLICATION_NAME);
        props.setProperty("connectTimeout", "5");
        props.setProperty("socketTimeout", "30");
        String url = "jdbc:postgresql://" + target.host() + ":" + target.port() + "/" + target.database();
        Connection connection = DriverManager.getConnection(url, props);
        connection.setAutoCommit(true);
        open.put(targetId, connection);
        return connection;
    }

    /** Drops a connection that failed, so the next use reconnects. */
    void discard(String targetId) {
        Connection c = open.remove(targetId);
        if (c != null) {
            close(c);
        }
    }

    private static Optional<String> password(MitigatorConfig.Target target) {
        if (target.passwordFile().isPresent()) {
            try {
                return Optional.of(
                        Files.readString(Path.of(target.passwordFile().get())).strip());
            } catch (IOException e) {
                throw new IllegalStateException(
                        "cannot read password-file " + target.passwordFile().get(), e);
            }
        }
        return target.password();
    }

    @PreDestroy
    void closeAll() {
        open.values().forEach(PostgresConnections::close);
        open.clear();
    }

    private static void close(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing a broken connection: nothing left to release
        }
    }
}
