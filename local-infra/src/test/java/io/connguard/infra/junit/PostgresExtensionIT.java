package io.connguard.infra.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connguard.infra.postgres.PostgresOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresExtensionIT {

    @RegisterExtension
    static PostgresExtension pg = new PostgresExtension(PostgresOptions.defaults()
            .maxConnections(8)
            .superuserReservedConnections(2)
            .setting("idle_in_transaction_session_timeout", "5min"));

    @Test
    void theClassGetsItsOwnServerWithTheRequestedLimits() throws SQLException {
        assertThat(pg.server().maxConnections()).isEqualTo(8);
        try (Connection connection = connect("postgres");
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT current_setting('max_connections'),"
                        + " current_setting('superuser_reserved_connections'),"
                        + " current_setting('idle_in_transaction_session_timeout')")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo("8");
            assertThat(rows.getString(2)).isEqualTo("2");
            assertThat(rows.getString(3)).isEqualTo("5min");
        }
    }

    @Test
    void ordinaryRolesRunOutOfConnectionsAtTheLimitMinusTheReservedSlots() throws SQLException {
        pg.server().execute("postgres", "CREATE ROLE app LOGIN");
        List<Connection> held = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) { // 8 - 2 reserved for superusers
                held.add(DriverManager.getConnection(pg.server().jdbcUrl(), "app", ""));
            }
            assertThatThrownBy(() -> DriverManager.getConnection(pg.server().jdbcUrl(), "app", ""))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("remaining connection slots are reserved");
            // the superuser still gets in, as the detector's probe connection must
            try (Connection superuser = connect("postgres")) {
                assertThat(superuser.isValid(5)).isTrue();
            }
        } finally {
            for (Connection connection : held) {
                connection.close();
            }
        }
    }

    private static Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(
                pg.server().jdbcUrl(database),
                pg.server().superuser(),
                pg.server().password());
    }
}
