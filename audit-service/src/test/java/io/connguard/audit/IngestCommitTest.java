package io.connguard.audit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connguard.events.KafkaCloudEvents;
import io.connguard.infra.SharedInfra;
import io.connguard.infra.kafka.TopicWriter;
import io.connguard.infra.postgres.PostgresServer;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * The group's committed offsets never pass a record whose row is not durable (IngestBacklogTest checks that they do
 * reach the end once the rows are stored), and a batch may wait for the database as long as it takes.
 */
@QuarkusTest
@WithTestResource(value = AuditTestInfra.class, scope = TestResourceScope.GLOBAL)
class IngestCommitTest {

    private static final String TOPIC = "connguard.commit-drill";
    private static final String SUBJECT = "commit-stalled";
    private static final int STALLED = 20;
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

    @Test
    void offsetsAreNotCommittedBeforeTheRowsAreDurable() throws Exception {
        SharedInfra.kafka().createTopic(TOPIC, 1);
        try (Admin admin = Admin.create(Map.of(
                        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        SharedInfra.kafka().bootstrapServers()));
                TopicWriter writer = Api.writer()) {
            // the service has discovered the topic and committed its first record
            writer.send(KafkaCloudEvents.toRecord(TOPIC, EventIngestTest.pressure("commit-probe", Instant.now())));
            long afterProbe = end(admin);
            await().atMost(Duration.ofSeconds(30)).until(() -> committed(admin) == afterProbe);

            PostgresServer db = AuditTestInfra.database();
            try (Connection holder = DriverManager.getConnection(db.jdbcUrl("audit"), db.superuser(), db.password());
                    Statement s = holder.createStatement()) {
                // the chain lock EventWriter takes for the subject (event_lock_subjects): its batch cannot commit
                s.execute("SELECT pg_advisory_lock(event_subject_lock_key('" + SUBJECT + "'))");
                long firstStalled = end(admin);
                for (int i = 0; i < STALLED; i++) {
                    writer.send(KafkaCloudEvents.toRecord(
                            TOPIC,
                            EventIngestTest.pressure(
                                    SUBJECT,
                                    Instant.parse("2026-11-27T11:00:00Z").plusMillis(i))));
                }
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> Api.queryLong(
                                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
                                > 0);
                // two commit intervals (auto.commit.interval.ms=1000) with the batch received but not stored
                Thread.sleep(2_500);
                assertThat(stored()).isZero();
                assertThat(committed(admin))
                        .as("committed offset while the rows from offset %d are not durable", firstStalled)
                        .isLessThanOrEqualTo(firstStalled);
                s.execute("SELECT pg_advisory_unlock(event_subject_lock_key('" + SUBJECT + "'))");
            }

            await().atMost(Duration.ofSeconds(20)).until(() -> stored() == STALLED);
            long end = end(admin);
            await().atMost(Duration.ofSeconds(10)).until(() -> committed(admin) == end);
        }
    }

    @Test
    void aBatchHungWithoutAnErrorMakesIngestNotReadyUntilItIsStored() throws Exception {
        String topic = "connguard.stuck-drill";
        String subject = "stuck-writer";
        SharedInfra.kafka().createTopic(topic, 1);
        try (TopicWriter writer = Api.writer()) {
            // the service has discovered the topic: the lock below stalls the writer on this subject's batch only
            writer.send(KafkaCloudEvents.toRecord(topic, EventIngestTest.pressure("stuck-probe", Instant.now())));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> Api.queryLong("SELECT count(*) FROM event WHERE subject = 'stuck-probe'") == 1);
            assertThat(ingestCheck()).containsEntry("status", "UP");

            PostgresServer db = AuditTestInfra.database();
            try (Connection holder = DriverManager.getConnection(db.jdbcUrl("audit"), db.superuser(), db.password());
                    Statement s = holder.createStatement()) {
                // the writer waits for the chain lock without an error: no SQLException, no retry
                s.execute("SELECT pg_advisory_lock(event_subject_lock_key('" + subject + "'))");
                writer.send(KafkaCloudEvents.toRecord(
                        topic, EventIngestTest.pressure(subject, Instant.parse("2026-11-27T12:00:00Z"))));
                // stuck-after is 1s in the test profile
                await().atMost(Duration.ofSeconds(15))
                        .until(() -> "DOWN".equals(ingestCheck().get("status")));
                assertThat(ingestCheck().get("data"))
                        .asInstanceOf(InstanceOfAssertFactories.map(String.class, Object.class))
                        .hasEntrySatisfying(
                                "stuck",
                                reason -> assertThat((String) reason)
                                        .matches("a batch of 1 records has been waiting \\d+\\.\\d s to be stored"
                                                + " \\(stuck-after 1\\.0 s\\)"));
                assertThat(Api.queryLong("SELECT count(*) FROM event WHERE subject = '" + subject + "'"))
                        .isZero();
                s.execute("SELECT pg_advisory_unlock(event_subject_lock_key('" + subject + "'))");
            }

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> "UP".equals(ingestCheck().get("status")));
            assertThat(ingestCheck()).doesNotContainKey("data");
            assertThat(Api.queryLong("SELECT count(*) FROM event WHERE subject = '" + subject + "'"))
                    .isEqualTo(1);
        }
    }

    // the audit-ingest check of /q/health/ready (which answers 503 while any check is DOWN)
    private static Map<String, Object> ingestCheck() {
        return given().get("/q/health/ready")
                .then()
                .extract()
                .jsonPath()
                .getMap("checks.find { it.name == 'audit-ingest' }");
    }

    @Test
    void aBatchMayWaitForTheDatabaseLongerThanSmallRyesDefaultOf60Seconds() {
        var config = ConfigProvider.getConfig();
        // the throttled commit strategy (the default without enable.auto.commit) fails the channel when a record waits
        // longer than this for its acknowledgement; 0 or less turns the check off
        assertThat(config.getOptionalValue("mp.messaging.incoming.events.commit-strategy", String.class))
                .hasValueSatisfying(strategy -> assertThat(strategy).isEqualTo("throttled"));
        assertThat(config.getOptionalValue(
                        "mp.messaging.incoming.events.throttled.unprocessed-record-max-age.ms", Integer.class))
                .hasValueSatisfying(maxAge -> assertThat(maxAge).isLessThanOrEqualTo(0));
    }

    private static long stored() throws Exception {
        return Api.queryLong("SELECT count(*) FROM event WHERE subject = '" + SUBJECT + "'");
    }

    private static long committed(Admin admin) throws Exception {
        OffsetAndMetadata committed = admin.listConsumerGroupOffsets("connguard-audit")
                .partitionsToOffsetAndMetadata()
                .get()
                .get(PARTITION);
        return committed == null ? -1 : committed.offset();
    }

    private static long end(Admin admin) throws Exception {
        return admin.listOffsets(Map.of(PARTITION, OffsetSpec.latest()))
                .partitionResult(PARTITION)
                .get()
                .offset();
    }
}
