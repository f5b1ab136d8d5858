package io.connguard.detector.bench;

import io.connguard.detector.DetectorTestInfra;
import io.connguard.events.EventType;
import io.connguard.events.KafkaCloudEvents;
import io.connguard.events.Level;
import io.connguard.events.PressureChanged;
import io.connguard.events.Topics;
import io.connguard.infra.SharedInfra;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Detection latency at 1 s sampling: a storm of new connections pushes the target over the ELEVATED threshold at a
 * random phase of the sampling timer; the latency is from the moment the crossing connection is established (onset)
 * to the moment the ELEVATED event is read from Kafka by a plain consumer. 25 storms; each waits for the incident to
 * resolve before the next one.
 *
 * <pre>./mvnw -o -pl detector-service test -Dgroups=benchmark -Ddetector.excluded-groups=none -Dtest=DetectionLatencyBenchmark</pre>
 */
@Tag("benchmark")
@QuarkusTest
@TestProfile(DetectionLatencyBenchmark.OneSecondSampling.class)
@WithTestResource(value = DetectorTestInfra.class, scope = TestResourceScope.GLOBAL)
class DetectionLatencyBenchmark {

    private static final int STORMS = 25;
    /** 1 (detector) + 13 = 14 of 17 usable slots: 82 %, over the 80 % threshold. */
    private static final int STORM_SIZE = 13;

    /** The production sampling interval; short hold and resolve times so storms can follow each other. */
    public static class OneSecondSampling implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "connguard.detector.targets.main.sample-interval", "1s",
                    "connguard.detector.targets.main.thresholds.hold-down", "500ms",
                    "connguard.detector.targets.main.thresholds.resolve-after", "500ms");
        }
    }

    @Test
    void onsetToEventOnKafka() throws Exception {
        double[] latencies = new double[STORMS];
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            for (int storm = 0; storm < STORMS; storm++) {
                Thread.sleep(ThreadLocalRandom.current().nextLong(1_000));
                List<Connection> held = new ArrayList<>();
                long onset = 0;
                for (int i = 0; i < STORM_SIZE; i++) {
                    held.add(DriverManager.getConnection(
                            DetectorTestInfra.target().jdbcUrl(),
                            DetectorTestInfra.target().superuser(),
                            ""));
                    onset = System.nanoTime();
                }
                await(consumer, p -> p.level() == Level.ELEVATED && p.levelChanged());
                latencies[storm] = (System.nanoTime() - onset) / 1e6;
                System.out.printf(
                        "storm %2d/%d: ELEVATED on Kafka %.0f ms after onset%n", storm + 1, STORMS, latencies[storm]);
                for (Connection c : held) {
                    c.close();
                }
                await(consumer, p -> "incident_resolved".equals(p.reason()));
            }
        }
        Arrays.sort(latencies);
        System.out.printf(
                "%ndetection latency over %d storms (ms): min %.0f  p50 %.0f  p90 %.0f  p99 %.0f  max %.0f%n",
                STORMS,
                latencies[0],
                latencies[(int) Math.ceil(0.50 * STORMS) - 1],
                latencies[(int) Math.ceil(0.90 * STORMS) - 1],
                latencies[(int) Math.ceil(0.99 * STORMS) - 1],
                latencies[STORMS - 1]);
    }

    private static KafkaConsumer<String, byte[]> consumer() {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        SharedInfra.kafka().bootstrapServers(),
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        "false"),
                new StringDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> partitions = List.of();
        while (partitions.isEmpty()) {
            partitions = consumer.partitionsFor(Topics.PRESSURE, Duration.ofSeconds(5)).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition()))
                    .toList();
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        return consumer;
    }

    private static void await(KafkaConsumer<String, byte[]> consumer, Predicate<PressureChanged> wanted) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(20))) {
                if (DetectorTestInfra.TARGET.equals(record.key())
                        && wanted.test(
                                KafkaCloudEvents.decode(record.headers(), record.value(), EventType.PRESSURE_CHANGED)
                                        .data())) {
                    return;
                }
            }
        }
        throw new AssertionError("no matching event within 30 s");
    }
}
