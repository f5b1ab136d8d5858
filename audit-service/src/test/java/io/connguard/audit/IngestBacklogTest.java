package io.connguard.audit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connguard.events.KafkaCloudEvents;
import io.connguard.infra.SharedInfra;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * A backlog of several polls (the service decodes one batch while it writes the previous one): every event is stored
 * once, each target's chain follows its partition's order, and the offsets are committed once the rows are stored.
 */
@QuarkusTest
@WithTestResource(value = AuditTestInfra.class, scope = TestResourceScope.GLOBAL)
class IngestBacklogTest {

    private static final String TOPIC = "connguard.backlog-drill";
    private static final int EVENTS = 3_500;
    private static final List<String> TARGETS =
            List.of("backlog-a", "backlog-b", "backlog-c", "backlog-d", "backlog-e");
    private static final String MINE = "WHERE subject LIKE 'backlog-_'";

    @Test
    void aBacklogOfSeveralPollsIsChainedInPartitionOrderAndCommittedOnceStored() throws Exception {
        SharedInfra.kafka().createTopic(TOPIC, 2);
        // sent before the service discovers the topic (metadata refresh every 5 s): it then reads a backlog of
        // several max.poll.records polls
        try (KafkaProducer<String, byte[]> producer = Api.batchingProducer()) {
            Instant start = Instant.parse("2026-11-27T09:00:00Z");
            for (int i = 0; i < EVENTS; i++) {
                String target = TARGETS.get(i % TARGETS.size());
                producer.send(KafkaCloudEvents.toRecord(TOPIC, EventIngestTest.pressure(target, start.plusMillis(i))));
            }
            producer.flush();
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> single("SELECT count(*) FROM event " + MINE) == EVENTS);
        assertThat(single("SELECT count(DISTINCT event_id) FROM event " + MINE)).isEqualTo(EVENTS);
        // a target is a record key, so its events are in one partition: chain positions follow their offsets
        assertThat(single("""
                        SELECT count(*) FROM (
                            SELECT chain_position,
                                   row_number() OVER (PARTITION BY subject ORDER BY kafka_offset) AS by_offset
                            FROM event\s""" + MINE + ") x WHERE chain_position <> by_offset")).isZero();
        for (String target : TARGETS) {
            given().get("/api/chains/" + target + "/verify")
                    .then()
                    .statusCode(200)
                    .body("valid", org.hamcrest.Matchers.is(true))
                    .body("rows", org.hamcrest.Matchers.is(EVENTS / TARGETS.size()));
        }
        // every batch was acknowledged after its commit: the group's offsets reach the end of each partition
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfra.kafka().bootstrapServers()))) {
            List<TopicPartition> partitions = List.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1));
            Map<TopicPartition, Long> end = admin
                    .listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())))
                    .all()
                    .get()
                    .entrySet()
                    .stream()
                    .collect(Collectors.toMap(
                            Map.Entry::getKey, e -> e.getValue().offset()));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("connguard-audit")
                        .partitionsToOffsetAndMetadata()
                        .get();
                for (TopicPartition p : partitions) {
                    assertThat(committed.get(p)).as("committed offset of %s", p).isNotNull();
                    assertThat(committed.get(p).offset())
                            .as("committed offset of %s", p)
                            .isEqualTo(end.get(p));
                }
            });
        }
    }

    private static long single(String sql) throws Exception {
        return Api.queryLong(sql);
    }
}
