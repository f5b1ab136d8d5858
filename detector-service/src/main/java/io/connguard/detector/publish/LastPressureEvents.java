package io.connguard.detector.publish;

import io.connguard.detector.config.DetectorConfig;
import io.connguard.events.CloudEvent;
import io.connguard.events.EventType;
import io.connguard.events.KafkaCloudEvents;
import io.connguard.events.MalformedEventException;
import io.connguard.events.PressureChanged;
import io.connguard.events.Topics;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Reads back, once at start-up, the last pressure event that this detector (its CloudEvents {@code source}) published
 * for each target within {@code restore.lookback}: the state a restarted detector continues from.
 *
 * <p>A plain consumer without a group (assign and seek, nothing committed): it looks up the offset of {@code now -
 * lookback} in every partition and reads each to the end offset it had at the start, keeping the last event per key.
 * All of it is bounded by {@code restore.timeout}; a read that does not finish in time (Kafka unreachable) or fails
 * yields nothing at all, because a partial read could miss the event that resolved an incident.
 */
@ApplicationScoped
public class LastPressureEvents {

    private static final Logger LOG = Logger.getLogger(LastPressureEvents.class);

    private final Map<String, Object> kafka;
    private final DetectorConfig config;
    private final String topic;
    private final Clock clock;

    LastPressureEvents(
            // the kafka.* configuration the producer uses too: bootstrap servers, TLS, SASL
            @Identifier("default-kafka-broker") Map<String, Object> kafka,
            DetectorConfig config,
            @ConfigProperty(name = "mp.messaging.outgoing.pressure.topic", defaultValue = Topics.PRESSURE) String topic,
            Clock clock) {
        this.kafka = kafka;
        this.config = config;
        this.topic = topic;
        this.clock = clock;
    }

    /** The last event of each of {@code targets} that has one within the lookback; empty when Kafka cannot tell. */
    public Map<String, PressureChanged> of(Set<String> targets) {
        long started = System.nanoTime();
        long deadline = started + config.restore().timeout().toNanos();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(consumerConfig(), new StringDeserializer(), new ByteArrayDeserializer())) {
            Map<String, PressureChanged> last = read(consumer, targets, deadline);
            LOG.infof(
                    "read the last events of %d of %d targets from %s in %d ms",
                    last.size(), targets.size(), topic, (System.nanoTime() - started) / 1_000_000);
            return last;
        } catch (KafkaException | IllegalStateException e) {
            LOG.warnf(
                    "cannot read the last events of %s within %s (%s): no incident is continued",
                    topic, config.restore().timeout(), e);
            return Map.of();
        }
    }

    private Map<String, PressureChanged> read(
            KafkaConsumer<String, byte[]> consumer, Set<String> targets, long deadline) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, remaining(deadline));
        if (infos == null || infos.isEmpty()) {
            return Map.of();
        }
        List<TopicPartition> partitions = infos.stream()
                .map(i -> new TopicPartition(i.topic(), i.partition()))
                .toList();
        // assigned before the offset look-ups: the client updates the high watermarks of assigned partitions only
        consumer.assign(partitions);
        long since = clock.instant().minus(config.restore().lookback()).toEpochMilli();
        Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(
                partitions.stream().collect(Collectors.toMap(Function.identity(), p -> since)), remaining(deadline));
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, remaining(deadline));
        // a partition without a record since then has nothing to read
        partitions.forEach(p -> consumer.seek(
                p, starts.get(p) == null ? ends.get(p) : starts.get(p).offset()));
        Map<String, PressureChanged> last = new HashMap<>();
        while (partitions.stream().anyMatch(p -> consumer.position(p, remaining(deadline)) < ends.get(p))) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(remaining(deadline))) {
                if (targets.contains(record.key()) && record.offset() < ends.get(partition(record))) {
                    ours(record).ifPresent(event -> last.put(record.key(), event));
                }
            }
        }
        return last;
    }

    private Optional<PressureChanged> ours(ConsumerRecord<String, byte[]> record) {
        try {
            CloudEvent<PressureChanged> event =
                    KafkaCloudEvents.decode(record.headers(), record.value(), EventType.PRESSURE_CHANGED);
            // another producer's record on the topic is not this detector's state
            return config.source().equals(event.source()) ? Optional.of(event.data()) : Optional.empty();
        } catch (MalformedEventException e) {
            LOG.debugf("skipping %s-%d@%d: %s", record.topic(), record.partition(), record.offset(), e.getMessage());
            return Optional.empty();
        }
    }

    private static TopicPartition partition(ConsumerRecord<?, ?> record) {
        return new TopicPartition(record.topic(), record.partition());
    }

    private static Duration remaining(long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new IllegalStateException("timed out");
        }
        return Duration.ofNanos(left);
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> consumer = new HashMap<>(kafka);
        consumer.put(ConsumerConfig.CLIENT_ID_CONFIG, "connguard-detector-restore");
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // reading must not create the topic with the broker's defaults: the producer's first event does that
        consumer.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        consumer.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return consumer;
    }
}
