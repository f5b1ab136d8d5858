package io.connguard.audit.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connguard.audit.Api;
import io.connguard.audit.AuditTestInfra;
import io.connguard.audit.EventIngestTest;
import io.connguard.audit.config.AuditConfig;
import io.connguard.audit.store.EventWriter;
import io.connguard.events.KafkaCloudEvents;
import io.connguard.infra.postgres.PostgresServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;

/**
 * Graceful shutdown while a batch waits for the previous one: the writer stops after storing the batch it has, and
 * the waiting batch is neither written nor acknowledged (its records are read again after the restart), without an
 * error that SmallRye would report as an application failure.
 */
@QuarkusTest
@WithTestResource(value = AuditTestInfra.class, scope = TestResourceScope.GLOBAL)
class EventIngestShutdownTest {

    private static final String TOPIC = "connguard.shutdown-drill";

    @Inject
    EventWriter eventWriter;

    @Inject
    AuditConfig config;

    @Test
    void aBatchWaitingWhenTheWriterStopsIsLeftUnacknowledgedWithoutAFailure() throws Exception {
        // an instance of its own (not the service's consumer), so that it can be stopped here
        EventIngest ingest = new EventIngest(eventWriter, config, new SimpleMeterRegistry());
        Delivery first = new Delivery(records("shutdown-a", 0, 3));
        Delivery second = new Delivery(records("shutdown-b", 3, 2));
        AtomicReference<Throwable> secondFailure = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            try {
                ingest.ingest(second.message).toCompletableFuture().get();
            } catch (Throwable t) {
                secondFailure.set(t);
            }
        });
        Thread stopper = new Thread(() -> {
            try {
                ingest.stopWriter();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        PostgresServer db = AuditTestInfra.database();
        try (Connection holder = DriverManager.getConnection(db.jdbcUrl("audit"), db.superuser(), db.password());
                Statement s = holder.createStatement()) {
            // the first batch's writer waits for this subject's chain lock
            s.execute("SELECT pg_advisory_lock(event_subject_lock_key('shutdown-a'))");
            ingest.ingest(first.message);
            await().atMost(Duration.ofSeconds(10))
                    .until(() ->
                            Api.queryLong("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
                                    > 0);
            // the next poll waits for it on a messaging worker...
            worker.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> worker.getState() == Thread.State.WAITING);
            // ...when the application stops
            stopper.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> stopper.getState() == Thread.State.TIMED_WAITING);
            s.execute("SELECT pg_advisory_unlock(event_subject_lock_key('shutdown-a'))");
        }
        worker.join(Duration.ofSeconds(15).toMillis());
        stopper.join(Duration.ofSeconds(15).toMillis());

        // the batch being written was stored and acknowledged
        assertThat(first.acked).succeedsWithin(Duration.ofSeconds(5));
        assertThat(Api.queryLong("SELECT count(*) FROM event WHERE subject = 'shutdown-a'"))
                .isEqualTo(3);
        // the waiting one was returned without an error, and is neither stored nor acknowledged (nor nacked)
        assertThat(worker.isAlive()).isFalse();
        assertThat(secondFailure.get()).as("failure of the waiting batch").isNull();
        assertThat(second.acked).isNotDone();
        assertThat(second.nacked).isNotDone();
        assertThat(Api.queryLong("SELECT count(*) FROM event WHERE subject = 'shutdown-b'"))
                .isZero();
    }

    private static ConsumerRecords<String, byte[]> records(String target, long firstOffset, int count) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ProducerRecord<String, byte[]> sent = KafkaCloudEvents.toRecord(
                    TOPIC,
                    EventIngestTest.pressure(
                            target, Instant.parse("2026-11-27T07:00:00Z").plusSeconds(i)));
            ConsumerRecord<String, byte[]> record =
                    new ConsumerRecord<>(TOPIC, 0, firstOffset + i, sent.key(), sent.value());
            sent.headers().forEach(h -> record.headers().add(h));
            records.add(record);
        }
        return new ConsumerRecords<>(Map.of(new TopicPartition(TOPIC, 0), records), Map.of());
    }

    /** A poll as SmallRye delivers it, recording whether it was acknowledged or nacked. */
    private static final class Delivery {
        final CompletableFuture<Void> acked = new CompletableFuture<>();
        final CompletableFuture<Throwable> nacked = new CompletableFuture<>();
        final Message<ConsumerRecords<String, byte[]>> message;

        Delivery(ConsumerRecords<String, byte[]> records) {
            message = Message.of(
                    records,
                    () -> {
                        acked.complete(null);
                        return CompletableFuture.completedFuture(null);
                    },
                    failure -> {
                        nacked.complete(failure);
                        return CompletableFuture.completedFuture(null);
                    });
        }
    }
}
