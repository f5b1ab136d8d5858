package io.connguard.audit;

import static io.restassured.RestAssured.given;

import io.connguard.infra.SharedInfra;
import io.connguard.infra.kafka.TopicWriter;
import io.restassured.path.json.JsonPath;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Small helpers over the service's REST API, the shared broker and the audit database for the tests (used from inside
 * a {@code @QuarkusTest}, whose class loader must load the Kafka and JDBC classes they create).
 */
public final class Api {

    private Api() {}

    static List<Object> events(String subject) {
        return eventsJson(subject).getList("$");
    }

    static JsonPath eventsJson(String subject) {
        return given().queryParam("subject", subject)
                .when()
                .get("/api/events")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    static TopicWriter writer() {
        return new TopicWriter(SharedInfra.kafka().bootstrapServers());
    }

    /** A producer that batches (acks=all, 20 ms linger): fills a topic with thousands of events quickly. */
    public static KafkaProducer<String, byte[]> batchingProducer() {
        return new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        SharedInfra.kafka().bootstrapServers(),
                        ProducerConfig.ACKS_CONFIG,
                        "all",
                        ProducerConfig.LINGER_MS_CONFIG,
                        20,
                        ProducerConfig.BATCH_SIZE_CONFIG,
                        512 * 1024),
                new StringSerializer(),
                new ByteArraySerializer());
    }

    /** The one number a query on the audit database answers, read as the superuser (beside the service). */
    public static long queryLong(String sql) throws SQLException {
        var db = AuditTestInfra.database();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl("audit"), db.superuser(), db.password());
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }
}
