package io.connguard.mitigator.action.postgres;

import io.connguard.mitigator.config.MitigatorConfig;
import io.quarkus.scheduler.Scheduled;
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
import org.jboss.logging.Logger;

/**
 * One persistent connection per target, opened before it is needed and reopened after a failure. Persistent because a
 * database in connection exhaustion refuses new ones: the mitigator must hold its slot from before the incident (on
 * PostgreSQL 16+ a reserved one, with pg_use_reserved_connections). So the connection of every configured target is
 * opened at start-up and, when missing (never reached, or dropped after a failure), again every
 * {@code connguard.mitigator.connect-every}, while there is headroom: it confirms every claim before an action and
 * carries the session steps. Each connection is used only by its target's
 * actor; opening is serialised per target, so the scheduler and an actor never open two.
 */
@ApplicationScoped
public class PostgresConnections {

    static final String APPLICATION_NAME = "connguard-mitigator";
    private static final Logger LOG = Logger.getLogger(PostgresConnections.class);

    private final MitigatorConfig config;
    private final Map<String, Connection> open = new ConcurrentHashMap<>();
    private final Map<String, Object> opening = new ConcurrentHashMap<>();

    PostgresConnections(MitigatorConfig config) {
        this.config = config;
    }

    /** The target's connection; throws when the target is not configured or cannot be reached. */
    Connection connection(String targetId) throws SQLException {
        Connection existing = open.get(targetId);
        if (existing != null && existing.isValid(2)) {
            return existing;
        }
        return replace(targetId, existing);
    }

    /**
     * The target's connection as held, without a round trip to check it (the caller's own statement finds out); opened
     * when missing. Throws when the target is not configured or cannot be reached.
     */
    Connection held(String targetId) throws SQLException {
        Connection existing = open.get(targetId);
        return existing != null ? existing : replace(targetId, null);
    }

    /**
     * Opens the missing connections of every configured target (each is needed to confirm a claim before acting, and
     * by the session steps); never touches an open one.
     */
    @Scheduled(
            every = "${connguard.mitigator.connect-every:15s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void keepOpen() {
        config.targets().keySet().stream().filter(id -> !open.containsKey(id)).forEach(this::openMissing);
    }

    private void openMissing(String targetId) {
        try {
            replace(targetId, null);
            LOG.infof("%s: persistent connection open", targetId);
        } catch (SQLException | RuntimeException e) {
            LOG.warnf(
                    "%s: cannot open the persistent connection yet, retrying every %s (a server out of connections"
                            + " refuses a new one mid-incident): %s",
                    targetId, config.connectEvery(), e.getMessage());
        }
    }

    /**
     * Opens the target's connection in place of {@code stale} (null: none was open), unless another thread did so
     * meanwhile, whose connection is returned.
     */
    private Connection replace(String targetId, Connection stale) throws SQLException {
        synchronized (opening.computeIfAbsent(targetId, id -> new Object())) {
            Connection current = open.get(targetId);
            if (current != null && current != stale) {
                return current;
            }
            if (current != null) {
                open.remove(targetId);
                close(current);
            }
            Connection connection = connect(targetId);
            open.put(targetId, connection);
            return connection;
        }
    }

    private Connection connect(String targetId) throws SQLException {
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
        props.setProperty("tcpKeepAlive", "true"); // an idle connection held for days: notice a dead peer
        String url = "jdbc:postgresql://" + target.host() + ":" + target.port() + "/" + target.database();
        Connection connection = DriverManager.getConnection(url, props);
        connection.setAutoCommit(true);
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
