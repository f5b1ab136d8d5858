package io.connguard.audit;

import static io.connguard.audit.Api.writer;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connguard.audit.ingest.Batch;
import io.connguard.audit.store.EventWriter;
import io.connguard.audit.store.WriteResult;
import io.connguard.events.CloudEvent;
import io.connguard.events.KafkaCloudEvents;
import io.connguard.events.PressureChanged;
import io.connguard.infra.SharedInfra;
import io.connguard.infra.kafka.TopicWriter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * A second audit instance joins the consumer group, stores what it is given and dies before committing its offsets
 * (the crash between "rows durable" and "offsets committed"). The group rebalances back to the service, which reads
 * those records again: nothing is lost, nothing is stored twice, and every chain still verifies.
 */
@QuarkusTest
@WithTestResource(value = AuditTestInfra.class, scope = TestResourceScope.GLOBAL)
class IngestRestartTest {

    private static final String TOPIC = "connguard.restart-drill";
    private static final int EVENTS = 400;
    private static final List<String> TARGETS = List.of(
            "restart-a", "restart-b", "restart-c", "restart-d", "restart-e", "restart-f", "restart-g", "restart-h");

    @Inject
    EventWriter eventWriter;

    @Inject
    MeterRegistry registry;

    @Test
    void anInstanceThatDiesAfterStoringButBeforeCommittingLosesNothingAndDuplicatesNothing() throws Exception {
        SharedInfra.kafka().createTopic(TOPIC, 4);
        try (TopicWriter writer = writer()) {
            // the service has discovered the new topic once a first event of it is stored
            writer.send(KafkaCloudEvents.toRecord(TOPIC, EventIngestTest.pressure("restart-probe", Instant.now())));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> Api.events("restart-probe").size() == 1);
        }
        double duplicatesBefore = duplicates();

        int storedBySecond = 0;
        try (KafkaConsumer<String, byte[]> second = secondInstance()) {
            second.subscribe(Pattern.compile("connguard\\.[a-z-]+"));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                second.poll(Duration.ofMillis(100));
                return second.assignment().stream().anyMatch(p -> p.topic().equals(TOPIC));
            });
            try (TopicWriter writer = writer()) {
                for (int i = 0; i < EVENTS; i++) {
                    String target = TARGETS.get(i % TARGETS.size());
                    CloudEvent<PressureChanged> event = EventIngestTest.pressure(
                            target, Instant.parse("2026-11-27T08:00:00Z").plusMillis(i));
                    writer.send(KafkaCloudEvents.toRecord(TOPIC, event));
                }
            }
            // store a few polls' worth, through the service's own writer, then "crash": close without committing
            long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (System.nanoTime() < until && storedBySecond < 50) {
                ConsumerRecords<String, byte[]> records = second.poll(Duration.ofMillis(200));
                List<ConsumerRecord<String, byte[]>> mine = new ArrayList<>();
                records.forEach(r -> {
                    if (r.topic().equals(TOPIC)) {
                        mine.add(r);
                    }
                });
                WriteResult result = eventWriter.write(Batch.decode(mine));
                storedBySecond += result.stored();
            }
        }
        assertThat(storedBySecond)
                .as("events the second instance stored before it died")
                .isPositive();

        await().atMost(Duration.ofSeconds(60)).until(() -> count("count(*)") == EVENTS);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> count("count(*)") == EVENTS);
        assertThat(count("count(DISTINCT event_id)")).isEqualTo(EVENTS);
        // the service read the second instance's records again and recognised them
        assertThat(duplicates() - duplicatesBefore).isGreaterThanOrEqualTo(storedBySecond);
        for (String target : TARGETS) {
            given().get("/api/chains/" + target + "/verify")
                    .then()
                    .statusCode(200)
                    .body("valid", org.hamcrest.Matchers.is(true));
        }
    }

    private double duplicates() {
        return registry.counter("connguard.audit.events.duplicates").count();
    }

    private static KafkaConsumer<String, byte[]> secondInstance() {
        return new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        SharedInfra.kafka().bootstrapServers(),
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "connguard-audit",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false,
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest",
                        ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                        20),
                new StringDeserializer(),
                new ByteArrayDeserializer());
    }

    private static long count(String aggregate) throws Exception {
        return Api.queryLong("SELECT " + aggregate + " FROM event WHERE subject LIKE 'restart-_'");
    }
}
