package io.connguard.infra.postgres;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A PostgreSQL 15 server in a Docker container, for machines with a Docker engine. The options become the
 * server's {@code -c} arguments, together with the same durability shortcuts as {@link LocalPostgresCluster}
 * (test data need not survive a crash).
 */
final class ContainerPostgresServer implements PostgresServer {

    private static final Logger LOG = Logger.getLogger(ContainerPostgresServer.class);
    private static final String CONTAINER_CLASS = "org.testcontainers.postgresql.PostgreSQLContainer";
    private static final String SUPERUSER = "postgres";
    private static final String PASSWORD = "postgres";

    private final PostgreSQLContainer container;
    private final PostgresOptions options;

    private ContainerPostgresServer(PostgreSQLContainer container, PostgresOptions options) {
        this.container = container;
        this.options = options;
    }

    static PostgresServer start(PostgresOptions options) {
        requireTestcontainersPostgres();
        long started = System.nanoTime();
        PostgreSQLContainer container = new PostgreSQLContainer(DockerImageName.parse("postgres:15"))
                .withUsername(SUPERUSER)
                .withPassword(PASSWORD)
                .withDatabaseName("postgres");
        container.setCommand(command(options).toArray(String[]::new));
        container.start();
        ContainerPostgresServer server = new ContainerPostgresServer(container, options);
        LOG.infof(
                "PostgreSQL container ready at %s in %d ms",
                server.jdbcUrl(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return server;
    }

    static List<String> command(PostgresOptions options) {
        List<String> command = new ArrayList<>(List.of("postgres"));
        for (Map.Entry<String, String> parameter :
                LocalPostgresCluster.durabilityShortcuts().entrySet()) {
            command.add("-c");
            command.add(parameter.getKey() + "=" + parameter.getValue());
        }
        for (Map.Entry<String, String> parameter : options.serverParameters().entrySet()) {
            command.add("-c");
            command.add(parameter.getKey() + "=" + parameter.getValue());
        }
        return command;
    }

    private static void requireTestcontainersPostgres() {
        try {
            Class.forName(CONTAINER_CLASS, false, ContainerPostgresServer.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("Docker mode needs org.testcontainers:testcontainers-postgresql on the"
                    + " classpath; add it or set connguard.infra=embedded");
        }
    }

    @Override
    public String host() {
        return container.getHost();
    }

    @Override
    public int port() {
        return container.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT);
    }

    @Override
    public String superuser() {
        return SUPERUSER;
    }

    @Override
    public String password() {
        return PASSWORD;
    }

    @Override
    public int maxConnections() {
        return options.maxConnections();
    }

    @Override
    public void close() {
        container.stop();
    }

    @Override
    public String toString() {
        return "PostgreSQL container at " + host() + ":" + port();
    }
}
