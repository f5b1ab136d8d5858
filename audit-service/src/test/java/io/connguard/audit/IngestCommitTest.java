package io.connguard.audit;

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
