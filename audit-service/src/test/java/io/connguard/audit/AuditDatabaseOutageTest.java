package io.connguard.audit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connguard.events.CloudEvent;
import io.connguard.events.KafkaCloudEvents;
import io.connguard.events.PressureChanged;
import io.connguard.infra.SharedInfra;
import io.connguard.infra.kafka.TopicWriter;
import io.connguard.infra.postgres.LocalPostgresCluster;
import io.connguard.infra.postgres.PostgresServer;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Fault scenario 3 (docs/reliability.md): the audit database goes down (the real cluster is stopped, clients get
 * "connection refused") while events keep arriving on Kafka, then comes back on the same port with the same data.
 * Afterwards every event produced is stored exactly once, the hash chain verifies, and readiness went DOWN during the
 * outage and UP after it.
 *
 * <p>The outage lasts {@value #OUTAGE_PROPERTY} seconds, 15 by default so that {@code ./mvnw verify} stays quick; the
 * full scenario of the issue is {@code -Dconnguard.faults.audit-db-outage-seconds=60}.
 */
@QuarkusTest
@WithTestResource(value = AuditTestInfra.class, scope = TestResourceScope.GLOBAL)
class AuditDatabaseOutageTest {

    static final String OUTAGE_PROPERTY = "connguard.faults.audit-db-outage-seconds";
    private static final Duration OUTAGE = Duration.ofSeconds(Long.getLong(OUTAGE_PROPERTY, 15));
    private static final String TOPIC = "connguard.db-outage-drill";
    private static final String SUBJECT = "outage-db";
    /** An event every 100 ms, before, during and after the outage. */
    private static final long SEND_EVERY_MILLIS = 100;

    @Test
    void eventsArrivingWhileTheDatabaseIsDownAreStoredOnceAfterItAndTheChainVerifies() throws Exception {
        PostgresServer server = AuditTestInfra.database();
        assertThat(server)
                .as("the outage stops and restarts the local cluster (connguard.infra.mode=embedded)")
                .isInstanceOf(LocalPostgresCluster.class);
        LocalPostgresCluster database = (LocalPostgresCluster) server;
        SharedInfra.kafka().createTopic(TOPIC, 1);
        Set<String> produced = ConcurrentHashMap.newKeySet();
        AtomicInteger sentDuringOutage = new AtomicInteger();
        ScheduledExecutorService producer = Executors.newSingleThreadScheduledExecutor();
        boolean down = false;
        try (TopicWriter writer = Api.writer()) {
            Instant first = Instant.parse("2026-12-01T10:00:00Z");
            AtomicInteger n = new AtomicInteger();
            Runnable sendOne = () -> {
                CloudEvent<PressureChanged> event =
                        EventIngestTest.pressure(SUBJECT, first.plusMillis(n.getAndIncrement()));
                writer.send(KafkaCloudEvents.toRecord(TOPIC, event));
                produced.add(event.id());
            };
            sendOne.run();
            await().atMost(Duration.ofSeconds(30)).until(() -> stored() >= 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> readiness().equals("UP"));
            producer.scheduleAtFixedRate(sendOne, 0, SEND_EVERY_MILLIS, TimeUnit.MILLISECONDS);

            database.stop();
            down = true;
            long stoppedAt = System.nanoTime();
            int producedAtStop = produced.size();
            await("readiness DOWN while the database is down")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> readiness().equals("DOWN"));
            await("the outage lasts " + OUTAGE)
                    .atMost(OUTAGE.plusSeconds(30))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> System.nanoTime() - stoppedAt >= OUTAGE.toNanos());
            assertThat(readiness()).as("readiness at the end of the outage").isEqualTo("DOWN");
            sentDuringOutage.set(produced.size() - producedAtStop);

            database.restart();
            down = false;
            long restartedAt = System.nanoTime();
            await("ready again")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> readiness().equals("UP"));
            long readyAfter = System.nanoTime() - restartedAt;
            producer.shutdown();
            assertThat(producer.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            await("every produced event stored")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> stored() == produced.size());
            long caughtUpAfter = System.nanoTime() - restartedAt;
            System.out.printf(
                    "scenario 3: audit database down %d s, %d events produced during the outage, %d in all;"
                            + " ready %.1f s and caught up %.1f s after the restart%n",
                    OUTAGE.toSeconds(), sentDuringOutage.get(), produced.size(), readyAfter / 1e9, caughtUpAfter / 1e9);
        } finally {
            producer.shutdownNow();
            if (down) {
                database.restart();
            }
        }

        assertThat(sentDuringOutage.get())
                .as("events produced during the outage")
                .isPositive();
        assertThat(storedIds()).as("each produced event stored, once").containsExactlyInAnyOrderElementsOf(produced);
        JsonPath chain = given().get("/api/chains/" + SUBJECT + "/verify")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(chain.getBoolean("valid")).as(chain.prettify()).isTrue();
        assertThat(chain.getLong("rows")).isEqualTo(produced.size());
        assertThat(chain.getLong("headPosition")).isEqualTo(produced.size());
    }

    private static String readiness() {
        return given().get("/q/health/ready").then().extract().jsonPath().getString("status");
    }

    private static long stored() throws Exception {
        return Api.queryLong("SELECT count(*) FROM event WHERE subject = '" + SUBJECT + "'");
    }

    private static List<String> storedIds() throws Exception {
        PostgresServer db = AuditTestInfra.database();
        List<String> ids = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl("audit"), db.superuser(), db.password());
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT event_id FROM event WHERE subject = '" + SUBJECT + "'")) {
            while (r.next()) {
                ids.add(r.getString(1));
            }
        }
        return ids;
    }
}
