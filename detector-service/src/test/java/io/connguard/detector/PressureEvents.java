package io.connguard.detector;

import static org.assertj.core.api.Assertions.assertThat;

import io.connguard.events.CloudEvent;
import io.connguard.events.EventType;
import io.connguard.events.KafkaCloudEvents;
import io.connguard.events.PressureChanged;
import io.connguard.events.Topics;
import io.connguard.infra.SharedInfra;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the detector's pressure events off the real topic, as a downstream consumer would, from the moment it is
 * created: the end offsets are fixed in the constructor (assign + seekToEnd + position), so an event published right
 * after cannot be skipped by a lazily resolved "latest". {@link #fromBeginning()} reads every event instead.
 */
final class PressureEvents implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;

    private final Deque<ConsumerRecord<String, byte[]>> unread = new ArrayDeque<>();

    /** Events on the shared broker. */
    PressureEvents() {
        this(SharedInfra.kafka().bootstrapServers());
    }

    /** Events on the broker at {@code bootstrapServers}; keeps reading across a stop and restart of that broker. */
    PressureEvents(String bootstrapServers) {
        this(bootstrapServers, false);
    }

    /** Every event on the shared broker, the oldest first. */
    static PressureEvents fromBeginning() {
        return new PressureEvents(SharedInfra.kafka().bootstrapServers(), true);
    }

    private PressureEvents(String bootstrapServers, boolean fromBeginning) {
        consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrapServers,
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        "false"),
                new StringDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> partitions = partitions();
        consumer.assign(partitions);
        if (fromBeginning) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
        }
        partitions.forEach(consumer::position);
    }

    private List<TopicPartition> partitions() {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            List<PartitionInfo> infos = consumer.partitionsFor(Topics.PRESSURE, Duration.ofSeconds(5));
            if (infos != null && !infos.isEmpty()) {
                return infos.stream()
                        .map(i -> new TopicPartition(i.topic(), i.partition()))
                        .toList();
            }
        }
        throw new AssertionError("topic " + Topics.PRESSURE + " does not exist after 20 s");
    }

    /**
     * The first event of {@code targetId} that matches; events before it are skipped, events after it stay for the
     * next call (a burst after an outage arrives in one poll). Fails naming {@code what} after 20 s.
     */
    CloudEvent<PressureChanged> await(String targetId, Predicate<PressureChanged> wanted, String what) {
        List<CloudEvent<PressureChanged>> read = collect(targetId, wanted, what);
        return read.get(read.size() - 1);
    }

    /**
     * Every event of {@code targetId} in the order the topic holds them, up to and including the first that matches;
     * events after it stay for the next call. Fails naming {@code what} after 20 s.
     */
    List<CloudEvent<PressureChanged>> collect(String targetId, Predicate<PressureChanged> until, String what) {
        List<CloudEvent<PressureChanged>> read = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (unread.isEmpty()) {
                consumer.poll(Duration.ofMillis(100)).forEach(unread::add);
            }
            while (!unread.isEmpty()) {
                ConsumerRecord<String, byte[]> record = unread.poll();
                if (targetId.equals(record.key())) {
                    CloudEvent<PressureChanged> event = decode(record);
                    assertThat(event.subject()).isEqualTo(targetId);
                    assertThat(event.data().targetId()).isEqualTo(targetId);
                    read.add(event);
                    if (until.test(event.data())) {
                        return read;
                    }
                }
            }
        }
        throw new AssertionError("no event with " + what + " of target " + targetId + " within 20 s");
    }

    private static CloudEvent<PressureChanged> decode(ConsumerRecord<String, byte[]> record) {
        return KafkaCloudEvents.decode(record.headers(), record.value(), EventType.PRESSURE_CHANGED);
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
