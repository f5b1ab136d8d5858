package io.connguard.infra.junit;

import io.connguard.infra.postgres.PostgresOptions;
import io.connguard.infra.postgres.PostgresServer;
import java.util.Objects;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives a test class its own PostgreSQL server ({@link PostgresServer#start(PostgresOptions)}), started
 * before its first test and stopped after its last. A server per class lets a test exhaust connections
 * without disturbing other classes. Nested classes share the enclosing class's server.
 *
 * <pre>{@code @RegisterExtension
 * static PostgresExtension pg = new PostgresExtension(PostgresOptions.defaults().maxConnections(20));}</pre>
 */
public final class PostgresExtension implements BeforeAllCallback, AfterAllCallback {

    private final PostgresOptions options;
    private PostgresServer server;
    private String owner;

    public PostgresExtension(PostgresOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public PostgresExtension() {
        this(PostgresOptions.defaults());
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (server == null) {
            server = PostgresServer.start(options);
            owner = context.getUniqueId();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null && context.getUniqueId().equals(owner)) {
            try {
                server.close();
            } finally {
                server = null;
                owner = null;
            }
        }
    }

    /** The running server; only between the class's first and last test. */
    public PostgresServer server() {
        if (server == null) {
            throw new IllegalStateException("The PostgreSQL server runs only while the test class runs;"
                    + " register the extension with @RegisterExtension on a static field");
        }
        return server;
    }
}
