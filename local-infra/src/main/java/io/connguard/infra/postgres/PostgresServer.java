package io.connguard.infra.postgres;

import io.connguard.infra.InfraMode;

/**
 * A PostgreSQL server that tests and the local drill can connect to as superuser.
 *
 * <p>Lifecycle: {@link #start(PostgresOptions)} returns a server that accepts connections; {@link #close()}
 * stops what {@code start} started and deletes its data, and leaves an external server running. Each server
 * is a separate cluster with its own {@code max_connections}, so a test can exhaust it without touching
 * other tests.
 */
public interface PostgresServer extends AutoCloseable {

    /** Environment variables naming an existing server to use instead of starting one. */
    String EXTERNAL_HOST_ENV = "CONNGUARD_PG_HOST";

    String EXTERNAL_PORT_ENV = "CONNGUARD_PG_PORT";
    String EXTERNAL_USER_ENV = "CONNGUARD_PG_USER";
    String EXTERNAL_PASSWORD_ENV = "CONNGUARD_PG_PASSWORD";

    String host();

    int port();

    /** A role with superuser rights. */
    String superuser();

    /** The superuser's password; empty when the server trusts local connections. */
    String password();

    /** {@code jdbc:postgresql://host:port/database}. */
    default String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + database;
    }

    default String jdbcUrl() {
        return jdbcUrl("postgres");
    }

    /** Creates a database; one that already exists is left as it is. */
    default void createDatabase(String name) {
        SuperuserJdbc.createDatabase(this, name);
    }

    /** Runs one SQL statement as superuser in its own autocommit transaction. */
    default void execute(String database, String sql) {
        SuperuserJdbc.execute(this, database, sql);
    }

    /** The server's {@code max_connections}, including the slots reserved for superusers. */
    int maxConnections();

    @Override
    void close();

    /**
     * An existing server when {@value #EXTERNAL_HOST_ENV} is set (with {@value #EXTERNAL_PORT_ENV},
     * {@value #EXTERNAL_USER_ENV}, {@value #EXTERNAL_PASSWORD_ENV}; used as-is, the options are not applied),
     * else, per {@link InfraMode}, a Testcontainers {@code postgres:15} container or a {@link LocalPostgresCluster}.
     */
    static PostgresServer start(PostgresOptions options) {
        String externalHost = System.getenv(EXTERNAL_HOST_ENV);
        if (externalHost != null && !externalHost.isBlank()) {
            return ExternalPostgresServer.fromEnvironment();
        }
        return switch (InfraMode.current().resolve()) {
            case DOCKER -> ContainerPostgresServer.start(options);
            case AUTO, EMBEDDED -> LocalPostgresCluster.start(options);
        };
    }

    static PostgresServer start() {
        return start(PostgresOptions.defaults());
    }
}
