package io.connguard.audit.chain;

import io.connguard.audit.config.AuditConfig;
import io.connguard.events.ChainCheckpoint;
import io.connguard.events.CloudEvent;
import io.connguard.events.EventType;
import io.connguard.events.KafkaCloudEvents;
import io.connguard.events.MalformedEventException;
import io.connguard.events.Topics;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Reads the published checkpoints back from {@value Topics#AUDIT_CHECKPOINTS}: the latest (highest position) of each
 * subject. The topic, not the audit database, is where the chain heads are anchored, so this is what verification and
 * the publisher trust.
 *
 * <p>A plain consumer without a group (assign, seek to the beginning, read to the end offsets of the start, nothing
 * committed), bounded by {@code connguard.audit.checkpoint.kafka-timeout}. The topic is meant to be compacted (keyed by
 * subject, docs/operations.md), so a read stays small.
 */
@ApplicationScoped
public class CheckpointLog {

    private static final Logger LOG = Logger.getLogger(CheckpointLog.class);

    private final Map<String, Object> kafka;
    private final AuditConfig config;

    CheckpointLog(
            // the kafka.* configuration the ingest consumer uses too: bootstrap servers, TLS, SASL
            @Identifier("default-kafka-broker") Map<String, Object> kafka, AuditConfig config) {
        this.kafka = kafka;
        this.config = config;
    }

    /** The latest checkpoint of every subject that has one. */
    public Map<String, CloudEvent<ChainCheckpoint>> latest() throws CheckpointsUnreadableException {
        long deadline = System.nanoTime() + config.checkpoint().kafkaTimeout().toNanos();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(consumerConfig(), new StringDeserializer(), new ByteArrayDeserializer())) {
            return read(consumer, deadline);
        } catch (KafkaException | IllegalStateException e) {
            throw new CheckpointsUnreadableException(
                    "cannot read " + Topics.AUDIT_CHECKPOINTS + " within "
                            + config.checkpoint().kafkaTimeout() + ": " + e.getMessage(),
                    e);
        }
    }

    private static Map<String, CloudEvent<ChainCheckpoint>> read(
            KafkaConsumer<String, byte[]> consumer, long deadline) {
        List<PartitionInfo> infos = consumer.partitionsFor(Topics.AUDIT_CHECKPOINTS, remaining(deadline));
        Map<String, CloudEvent<ChainCheckpoint>> latest = new HashMap<>();
        if (infos == null || infos.isEmpty()) {
            return latest; // nothing published yet
        }
        List<TopicPartition> partitions = infos.stream()
                .map(i -> new TopicPartition(i.topic(), i.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, remaining(deadline));
        while (partitions.stream().anyMatch(p -> consumer.position(p, remaining(deadline)) < ends.get(p))) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(remaining(deadline))) {
                try {
                    CloudEvent<ChainCheckpoint> checkpoint =
                            KafkaCloudEvents.decode(record.headers(), record.value(), EventType.CHAIN_CHECKPOINT);
                    latest.merge(checkpoint.subject(), checkpoint, CheckpointLog::higher);
                } catch (MalformedEventException e) {
                    // not ours to trust: a checkpoint that does not read is no anchor
                    LOG.warnf(
                            "ignoring %s-%d@%d, not a checkpoint: %s",
                            record.topic(), record.partition(), record.offset(), e.getMessage());
                }
            }
        }
        return latest;
    }

    // two instances may publish the same head; a later checkpoint never anchors a lower position than an earlier one
    private static CloudEvent<ChainCheckpoint> higher(CloudEvent<ChainCheckpoint> a, CloudEvent<ChainCheckpoint> b) {
        return b.data().chainPosition() >= a.data().chainPosition() ? b : a;
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
        consumer.put(ConsumerConfig.CLIENT_ID_CONFIG, "connguard-audit-checkpoints");
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // reading must not create the topic with the broker's defaults
        consumer.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        consumer.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return consumer;
    }

    /** The checkpoint topic could not be read in time (Kafka unreachable, no permission). */
    public static class CheckpointsUnreadableException extends Exception {
        CheckpointsUnreadableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
