package io.connguard.infra.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class LocalPostgresClusterIT {

    @Test
    void startsWithTheRequestedSettingsAndDeletesItsDataOnClose() throws Exception {
        PostgresOptions options = PostgresOptions.defaults()
                .maxConnections(15)
                .setting("statement_timeout", "7s")
                .setting("log_line_prefix", "%m [%p] '%a' ");
        long started = System.nanoTime();
        Path directory;
        try (LocalPostgresCluster cluster = LocalPostgresCluster.start(options)) {
            System.out.printf(
                    "[measure] local PostgreSQL cluster start (%s): %d ms%n",
                    cluster.binaries().binDir(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            directory = cluster.directory();
            assertThat(directory.resolve("data/PG_VERSION")).exists();
            assertThat(cluster.maxConnections()).isEqualTo(15);

            try (Connection connection = SuperuserJdbc.connect(cluster, "postgres")) {
                assertThat(show(connection, "max_connections")).isEqualTo("15");
                assertThat(show(connection, "statement_timeout")).isEqualTo("7s");
                assertThat(show(connection, "log_line_prefix")).isEqualTo("%m [%p] '%a' ");
                assertThat(show(connection, "fsync")).isEqualTo("off");
            }

            cluster.createDatabase("audit");
            cluster.createDatabase("audit"); // already there: left as it is
            cluster.execute("audit", "CREATE TABLE events (id text PRIMARY KEY)");
            cluster.execute("audit", "INSERT INTO events VALUES ('e-1')");
            try (Connection connection = SuperuserJdbc.connect(cluster, "audit");
                    Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery("SELECT count(*) FROM events")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getInt(1)).isEqualTo(1);
            }
        }
        assertThat(Files.exists(directory))
                .as("cluster directory deleted on close")
                .isFalse();
    }

    @Test
    void aServerThatCannotStartReportsItsLogAndLeavesNothingBehind() {
        PostgresOptions invalid = PostgresOptions.defaults().setting("shared_buffers", "plenty");

        assertThatThrownBy(() -> LocalPostgresCluster.start(invalid))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("server log tail")
                .hasMessageContaining("shared_buffers")
                .satisfies(failure -> {
                    Matcher directory =
                            Pattern.compile("did not start in (\\S+):").matcher(failure.getMessage());
                    assertThat(directory.find()).isTrue();
                    assertThat(Path.of(directory.group(1))).doesNotExist();
                });
    }

    private static String show(Connection connection, String parameter) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SHOW " + parameter)) {
            assertThat(rows.next()).isTrue();
            return rows.getString(1);
        }
    }
}
