package io.connguard.infra.postgres;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Server settings for a PostgreSQL cluster started by {@link PostgresServer#start(PostgresOptions)}.
 * Immutable: every method returns a new instance, so a shared constant can be refined per test.
 *
 * <p>Connection limits have their own methods because the connection-exhaustion scenarios depend on them;
 * any other server parameter (GUC) goes through {@link #setting(String, String)}.
 */
public final class PostgresOptions {

    private static final Pattern SETTING_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");
    // the cluster owns these: they must match what host(), port() and the socket directory report
    private static final Set<String> OWNED_BY_CLUSTER =
            Set.of("port", "listen_addresses", "unix_socket_directories", "data_directory");

    private static final PostgresOptions DEFAULTS = new PostgresOptions(100, 3, Map.of());

    private final int maxConnections;
    private final int superuserReservedConnections;
    private final Map<String, String> settings;

    private PostgresOptions(int maxConnections, int superuserReservedConnections, Map<String, String> settings) {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("max_connections must be at least 1, got " + maxConnections);
        }
        if (superuserReservedConnections < 0 || superuserReservedConnections >= maxConnections) {
            throw new IllegalArgumentException(
                    "superuser_reserved_connections must be between 0 and max_connections - 1 (" + (maxConnections - 1)
                            + "), got " + superuserReservedConnections);
        }
        this.maxConnections = maxConnections;
        this.superuserReservedConnections = superuserReservedConnections;
        this.settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /** max_connections 100 and 3 superuser-reserved connections, PostgreSQL's own defaults. */
    public static PostgresOptions defaults() {
        return DEFAULTS;
    }

    public PostgresOptions maxConnections(int maxConnections) {
        return new PostgresOptions(maxConnections, superuserReservedConnections, settings);
    }

    public PostgresOptions superuserReservedConnections(int reserved) {
        return new PostgresOptions(maxConnections, reserved, settings);
    }

    /** Any other server parameter, e.g. {@code setting("idle_in_transaction_session_timeout", "5s")}. */
    public PostgresOptions setting(String name, String value) {
        Objects.requireNonNull(value, "value");
        if (name == null || !SETTING_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Not a PostgreSQL parameter name: " + name);
        }
        String key = name.toLowerCase(java.util.Locale.ROOT);
        if (key.equals("max_connections") || key.equals("superuser_reserved_connections")) {
            throw new IllegalArgumentException(
                    "Use maxConnections(int) / superuserReservedConnections(int) for " + key);
        }
        if (OWNED_BY_CLUSTER.contains(key)) {
            throw new IllegalArgumentException(key + " is chosen by the cluster and cannot be set");
        }
        Map<String, String> copy = new LinkedHashMap<>(settings);
        copy.put(key, value);
        return new PostgresOptions(maxConnections, superuserReservedConnections, copy);
    }

    public int maxConnections() {
        return maxConnections;
    }

    public int superuserReservedConnections() {
        return superuserReservedConnections;
    }

    /** The parameters given through {@link #setting(String, String)}, in the order they were given. */
    public Map<String, String> settings() {
        return settings;
    }

    /** Every parameter these options set, connection limits first, as the server's {@code -c} arguments expect. */
    public Map<String, String> serverParameters() {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("max_connections", String.valueOf(maxConnections));
        all.put("superuser_reserved_connections", String.valueOf(superuserReservedConnections));
        all.putAll(settings);
        return Collections.unmodifiableMap(all);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PostgresOptions other
                && maxConnections == other.maxConnections
                && superuserReservedConnections == other.superuserReservedConnections
                && settings.equals(other.settings);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxConnections, superuserReservedConnections, settings);
    }

    @Override
    public String toString() {
        return "PostgresOptions" + serverParameters();
    }
}
