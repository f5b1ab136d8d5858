package io.connguard.infra.pgbouncer;

import static org.assertj.core.api.Assertions.assertThat;

import io.connguard.infra.postgres.PostgresOptions;
import io.connguard.infra.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PgBouncerIT {

    @Test
    void forwardsClientsAndShowsItsPoolsOnTheAdminConsole() throws Exception {
        try (PostgresServer backend =
                PostgresServer.start(PostgresOptions.defaults().maxConnections(20))) {
            long started = System.nanoTime();
            try (PgBouncer pgBouncer =
                    PgBouncer.start(backend, PgBouncerOptions.defaults().defaultPoolSize(3))) {
                System.out.printf(
                        "[measure] PgBouncer start: %d ms%n",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                try (Connection client = DriverManager.getConnection(pgBouncer.jdbcUrl("postgres"), "postgres", "");
                        Statement statement = client.createStatement();
                        ResultSet rows = statement.executeQuery("SELECT current_setting('max_connections')")) {
                    assertThat(rows.next()).isTrue();
                    assertThat(rows.getString(1))
                            .as("the query reached the backend")
                            .isEqualTo("20");

                    try (Connection admin = DriverManager.getConnection(
                                    pgBouncer.jdbcUrl("pgbouncer") + "?preferQueryMode=simple&replication=database",
                                    pgBouncer.adminUser(),
                                    "");
                            Statement show = admin.createStatement();
                            ResultSet pools = show.executeQuery("SHOW POOLS")) {
                        boolean found = false;
                        while (pools.next()) {
                            if (pools.getString("database").equals("postgres")) {
                                found = true;
                                assertThat(pools.getInt("cl_active")).isEqualTo(1);
                                assertThat(pools.getInt("cl_waiting")).isZero();
                            }
                        }
                        assertThat(found).as("a pool for database postgres").isTrue();
                    }
                }
            }
        }
    }
}
