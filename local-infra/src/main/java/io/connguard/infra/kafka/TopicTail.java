package io.connguard.infra.kafka;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads topics the way an outside consumer of connguard does (plain kafka-clients, its own group), for tests and the
 * drill: "wait until a record like this shows up". Not thread-safe.
 */
public final class TopicTail implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    /** Records returned by the polls that waited for the assignment: delivered first, never dropped. */
    private final Deque<ConsumerRecord<String, byte[]>> early = new ArrayDeque<>();

    private TopicTail(
            String bootstrapServers, Map<String, String> clientProperties, String offsetReset, List<String> topics) {
        Map<String, Object> config = new HashMap<>(clientProperties);
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "connguard-tail-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, offsetReset);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // no JMX: inside a @QuarkusTest the reporter class can clash across class loaders
        config.put(ConsumerConfig.METRIC_REPORTER_CLASSES_CONFIG, "");
        consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(topics);
        // poll until partitions are assigned, so that "from now" means from this moment on
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (consumer.assignment().isEmpty() && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(100)).forEach(early::add);
        }
        if (consumer.assignment().isEmpty()) {
            consumer.close();
            throw new IllegalStateException("no partition of " + topics + " assigned within 30 s");
        }
        // resolve the start offsets now: "latest" is otherwise looked up lazily at the next poll, and a record
        // published in between would be skipped
        consumer.assignment().forEach(consumer::position);
    }

    /** Records published after this call returns. Topics are created if the broker auto-creates them. */
    public static TopicTail fromNow(String bootstrapServers, String... topics) {
        return fromNow(bootstrapServers, Map.of(), topics);
    }

    /** As {@link #fromNow(String, String...)}, with extra client settings such as SASL credentials. */
    public static TopicTail fromNow(String bootstrapServers, Map<String, String> clientProperties, String... topics) {
        return new TopicTail(bootstrapServers, clientProperties, "latest", List.of(topics));
    }

    /** Every record of the topics, oldest first. */
    public static TopicTail fromBeginning(String bootstrapServers, String... topics) {
        return new TopicTail(bootstrapServers, Map.of(), "earliest", List.of(topics));
    }

    /**
     * The first record matching {@code wanted}; skips the ones before it and keeps the ones after it for the next call
     * (a poll often returns several, e.g. an action's PLANNED and its result); fails naming {@code what} after the
     * timeout.
     */
    public ConsumerRecord<String, byte[]> await(
            Predicate<ConsumerRecord<String, byte[]>> wanted, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            while (!early.isEmpty()) {
                ConsumerRecord<String, byte[]> record = early.poll();
                if (wanted.test(record)) {
                    return record;
                }
            }
            if (System.nanoTime() >= deadline) {
                throw new AssertionError("no record with " + what + " within " + timeout.toSeconds() + " s");
            }
            consumer.poll(Duration.ofMillis(100)).forEach(early::add);
        }
    }

    /** Everything that arrives within {@code window}. */
    public List<ConsumerRecord<String, byte[]>> drain(Duration window) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>(early);
        early.clear();
        long deadline = System.nanoTime() + window.toNanos();
        while (System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(100)).forEach(records::add);
        }
        return records;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
