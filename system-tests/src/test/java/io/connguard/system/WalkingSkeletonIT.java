package io.connguard.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.connguard.events.CloudEvent;
import io.connguard.events.EventJson;
import io.connguard.events.EventType;
import io.connguard.events.KafkaCloudEvents;
import io.connguard.events.Topics;
import io.connguard.infra.FreePorts;
import io.connguard.infra.SharedInfra;
import io.connguard.infra.kafka.TopicWriter;
import io.connguard.infra.postgres.PostgresOptions;
import io.connguard.infra.postgres.PostgresServer;
import io.connguard.infra.process.ServiceProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The three packaged services as processes against a real broker and real clusters: a pressure event and the action
 * it caused come back from the audit API, in order, each stored once even when delivered twice.
 */
class WalkingSkeletonIT {

    private static final String TARGET = "starforge";
    private static final Duration START = Duration.ofSeconds(60);

    private static PostgresServer target;
    private static PostgresServer auditDb;
    private static final List<ServiceProcess> services = new ArrayList<>();
    private static ServiceProcess audit;

    @BeforeAll
    static void startTheLoop() throws Exception {
        String kafka = SharedInfra.kafka().bootstrapServers();
        target = PostgresServer.start(PostgresOptions.defaults().maxConnections(20));
        auditDb = PostgresServer.start();
        auditDb.createDatabase("audit");

        Map<String, String> detector = new HashMap<>(Map.of("kafka.bootstrap.servers", kafka));
        String t = "connguard.detector.targets." + TARGET + ".";
        detector.putAll(Map.of(
                t + "host", target.host(),
                t + "port", Integer.toString(target.port()),
                t + "user", target.superuser(),
                t + "sample-interval", "250ms"));
        audit = ServiceProcess.start(
                "audit-service",
                FreePorts.pick(),
                Map.of(
                        "kafka.bootstrap.servers", kafka,
                        "quarkus.datasource.jdbc.url", auditDb.jdbcUrl("audit"),
                        "quarkus.datasource.username", auditDb.superuser(),
                        "quarkus.datasource.password", auditDb.password()));
        services.add(audit);
        // the mitigator acts only for targets it is configured for
        String m = "connguard.mitigator.targets." + TARGET + ".";
        Map<String, String> mitigator = Map.of(
                "kafka.bootstrap.servers",
                kafka,
                m + "host",
                target.host(),
                m + "port",
                Integer.toString(target.port()),
                m + "user",
                target.superuser());
        services.add(ServiceProcess.start("mitigator-service", FreePorts.pick(), mitigator));
        services.add(ServiceProcess.start("detector-service", FreePorts.pick(), detector));
        for (ServiceProcess service : services) {
            service.awaitReady(START);
        }
    }

    @AfterAll
    static void stopTheLoop() throws Exception {
        for (ServiceProcess service : services) {
            service.close();
        }
        target.close();
        auditDb.close();
    }

    @Test
    void pressureAndItsActionComeBackFromTheAuditApiOnceEachInOrder() throws Exception {
        List<Connection> held = new ArrayList<>();
        try {
            // 15 of 17 usable slots (with the detector's and the mitigator's own) is past the 80 % threshold
            for (int i = 0; i < 13; i++) {
                held.add(DriverManager.getConnection(target.jdbcUrl(), target.superuser(), ""));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> hasElevatedAndItsAction(events()));
        } finally {
            for (Connection c : held) {
                c.close();
            }
        }

        JsonNode stored = events();
        JsonNode pressure = firstElevated(stored);
        JsonNode action = actionCausedBy(stored, pressure.get("id").asText());
        assertThat(indexOf(stored, pressure)).isLessThan(indexOf(stored, action));

        // deliver the same CloudEvent again: it must not be stored twice
        redeliver(pressure);
        Thread.sleep(2_000);
        JsonNode after = events();
        long copies = stream(after)
                .filter(e -> e.get("id").asText().equals(pressure.get("id").asText()))
                .count();
        assertThat(copies).isEqualTo(1);
    }

    @Test
    void aDetectorWithoutTargetsRefusesToStartAndNamesTheKey() throws Exception {
        try (ServiceProcess broken = ServiceProcess.start(
                "detector-service",
                FreePorts.pick(),
                Map.of("kafka.bootstrap.servers", SharedInfra.kafka().bootstrapServers()))) {
            assertThat(broken.awaitExit(START)).isNotZero();
            assertThat(broken.output()).contains("connguard.detector.targets");
        }
    }

    private static void redeliver(JsonNode stored) throws Exception {
        CloudEvent<JsonNode> again = new CloudEvent<>(
                stored.get("id").asText(),
                URI.create(stored.get("source").asText()),
                stored.get("type").asText(),
                stored.get("subject").asText(),
                Instant.parse(stored.get("time").asText()),
                stored.get("data"));
        try (TopicWriter writer = new TopicWriter(SharedInfra.kafka().bootstrapServers())) {
            writer.send(KafkaCloudEvents.toRecord(Topics.PRESSURE, again));
        }
    }

    private static boolean hasElevatedAndItsAction(JsonNode events) {
        JsonNode pressure = firstElevated(events);
        return pressure != null && actionCausedBy(events, pressure.get("id").asText()) != null;
    }

    private static JsonNode firstElevated(JsonNode events) {
        return stream(events)
                .filter(e -> e.get("type").asText().equals(EventType.PRESSURE_CHANGED.type()))
                .filter(e -> e.get("data").get("level").asText().equals("ELEVATED"))
                .findFirst()
                .orElse(null);
    }

    private static JsonNode actionCausedBy(JsonNode events, String pressureId) {
        return stream(events)
                .filter(e -> e.get("type").asText().equals(EventType.ACTION.type()))
                .filter(e -> pressureId.equals(e.get("data").path("causationId").asText()))
                .findFirst()
                .orElse(null);
    }

    private static int indexOf(JsonNode events, JsonNode event) {
        return stream(events)
                .map(e -> e.get("seq").asLong())
                .toList()
                .indexOf(event.get("seq").asLong());
    }

    private static Stream<JsonNode> stream(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false);
    }

    private static JsonNode events() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(audit.url("/api/events?subject=" + TARGET))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return EventJson.mapper().readTree(response.body());
    }
}
