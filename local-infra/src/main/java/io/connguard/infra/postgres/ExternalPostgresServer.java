package io.connguard.infra.postgres;

import java.util.Objects;
import org.jboss.logging.Logger;

/**
 * A PostgreSQL server that something else started and owns (a developer's database, a CI service): this
 * handle only names it, so {@link #close()} leaves it running, and {@link #maxConnections()} asks the server.
 */
public final class ExternalPostgresServer implements PostgresServer {

    private static final Logger LOG = Logger.getLogger(ExternalPostgresServer.class);

    private final String host;
    private final int port;
    private final String superuser;
    private final String password;

    public ExternalPostgresServer(String host, int port, String superuser, String password) {
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.superuser = Objects.requireNonNull(superuser, "superuser");
        this.password = password == null ? "" : password;
    }

    /** From {@value #EXTERNAL_HOST_ENV}, {@value #EXTERNAL_PORT_ENV} (5432), {@value #EXTERNAL_USER_ENV} (postgres), {@value #EXTERNAL_PASSWORD_ENV}. */
    static ExternalPostgresServer fromEnvironment() {
        String host = System.getenv(EXTERNAL_HOST_ENV).trim();
        String port = System.getenv().getOrDefault(EXTERNAL_PORT_ENV, "5432").trim();
        String user =
                System.getenv().getOrDefault(EXTERNAL_USER_ENV, "postgres").trim();
        String password = System.getenv().getOrDefault(EXTERNAL_PASSWORD_ENV, "");
        ExternalPostgresServer server;
        try {
            server = new ExternalPostgresServer(host, Integer.parseInt(port), user, password);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(EXTERNAL_PORT_ENV + " is not a port number: " + port, e);
        }
        LOG.infof(
                "Using the external PostgreSQL server at %s:%d as %s (options are not applied)",
                host, server.port, user);
        return server;
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String superuser() {
        return superuser;
    }

    @Override
    public String password() {
        return password;
    }

    @Override
    public int maxConnections() {
        return Integer.parseInt(SuperuserJdbc.queryString(this, "SELECT current_setting('max_connections')"));
    }

    /** Leaves the server running: it belongs to whoever started it. */
    @Override
    public void close() {}

    @Override
    public String toString() {
        return "external PostgreSQL at " + host + ":" + port;
    }
}
