package io.connguard.infra.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/** The superuser JDBC operations every kind of {@link PostgresServer} offers, done the same way for all. */
final class SuperuserJdbc {

    private static final String DUPLICATE_DATABASE = "42P04";

    private SuperuserJdbc() {}

    static Connection connect(PostgresServer server, String database) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", server.superuser());
        properties.setProperty("password", server.password());
        properties.setProperty("ApplicationName", "connguard-local-infra");
        return DriverManager.getConnection(server.jdbcUrl(database), properties);
    }

    static void execute(PostgresServer server, String database, String sql) {
        try (Connection connection = connect(server, database);
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("Failed on " + server.jdbcUrl(database) + ": " + sql, e);
        }
    }

    static void createDatabase(PostgresServer server, String name) {
        try (Connection connection = connect(server, "postgres");
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + quoteIdentifier(name));
        } catch (SQLException e) {
            if (!DUPLICATE_DATABASE.equals(e.getSQLState())) {
                throw new IllegalStateException("Could not create database " + name + " on " + server.jdbcUrl(), e);
            }
        }
    }

    static String queryString(PostgresServer server, String sql) {
        try (Connection connection = connect(server, "postgres");
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            if (!rows.next()) {
                throw new IllegalStateException("No row from " + sql);
            }
            return rows.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException("Failed on " + server.jdbcUrl() + ": " + sql, e);
        }
    }

    static String quoteIdentifier(String name) {
        if (name == null || name.isEmpty() || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("Not a database name: " + name);
        }
        return '"' + name.replace("\"", "\"\"") + '"';
    }
}
