package io.connguard.infra.pgbouncer;

import java.util.List;

/**
 * Settings of a {@link PgBouncer}. Immutable; each method returns a changed copy.
 *
 * @param poolMode {@code session}, {@code transaction} or {@code statement}
 * @param defaultPoolSize server connections per (database, user) pool
 * @param maxClientConn clients PgBouncer accepts before answering "no more connections allowed"
 * @param users roles that may log in (auth_type trust: no passwords); the first is the admin console's admin
 * @param port port to listen on; 0 picks a free one (a fixed port lets a test restart the pooler in place)
 */
public record PgBouncerOptions(String poolMode, int defaultPoolSize, int maxClientConn, List<String> users, int port) {

    public PgBouncerOptions {
        if (!List.of("session", "transaction", "statement").contains(poolMode)) {
            throw new IllegalArgumentException("pool mode must be session, transaction or statement: " + poolMode);
        }
        if (defaultPoolSize < 1 || maxClientConn < 1) {
            throw new IllegalArgumentException("pool size and max_client_conn must be positive");
        }
        users = List.copyOf(users);
        if (users.isEmpty() || users.stream().anyMatch(u -> u.isBlank() || u.contains("\""))) {
            throw new IllegalArgumentException("at least one user, without double quotes: " + users);
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("not a port: " + port);
        }
    }

    /** Session pooling, 20 server connections per pool, 100 clients, user {@code postgres}, a free port. */
    public static PgBouncerOptions defaults() {
        return new PgBouncerOptions("session", 20, 100, List.of("postgres"), 0);
    }

    public PgBouncerOptions poolMode(String mode) {
        return new PgBouncerOptions(mode, defaultPoolSize, maxClientConn, users, port);
    }

    public PgBouncerOptions defaultPoolSize(int size) {
        return new PgBouncerOptions(poolMode, size, maxClientConn, users, port);
    }

    public PgBouncerOptions maxClientConn(int max) {
        return new PgBouncerOptions(poolMode, defaultPoolSize, max, users, port);
    }

    public PgBouncerOptions users(String... names) {
        return new PgBouncerOptions(poolMode, defaultPoolSize, maxClientConn, List.of(names), port);
    }

    public PgBouncerOptions port(int fixed) {
        return new PgBouncerOptions(poolMode, defaultPoolSize, maxClientConn, users, fixed);
    }
}
