package io.connguard.audit;

import io.connguard.infra.SharedInfra;
import io.connguard.infra.postgres.PostgresServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** The real infrastructure every audit test runs against: the shared Kafka broker and an audit database. */
public class AuditTestInfra implements QuarkusTestResourceLifecycleManager {

    private static PostgresServer database;

    public static PostgresServer database() {
        return database;
    }

    @Override
    public Map<String, String> start() {
        database = PostgresServer.start();
        database.createDatabase("audit");
        return Map.of(
                "kafka.bootstrap.servers", SharedInfra.kafka().bootstrapServers(),
                "quarkus.datasource.jdbc.url", database.jdbcUrl("audit"),
                "quarkus.datasource.username", database.superuser(),
                "quarkus.datasource.password", database.password());
    }

    @Override
    public void stop() {
        if (database != null) {
            database.close();
        }
    }
}
