package io.connguard.drill.observe;

import io.connguard.events.ActionEvent;
import io.connguard.events.CloudEvent;
import io.connguard.events.EventType;
import io.connguard.events.KafkaCloudEvents;
import io.connguard.events.MalformedEventException;
import io.connguard.events.PressureChanged;
import io.connguard.events.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Reads {@code connguard.pressure} and {@code connguard.actions} from the beginning with plain kafka-clients, as any
 * outside consumer would, and feeds the events of one target to the {@link Milestones}. Runs on its own thread until
 * {@link #close()}.
 */
public final class LoopObserver implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LoopObserver.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final String targetId;
    private final Milestones milestones;
    private final Thread thread;
    private final AtomicLong events = new AtomicLong();

    public LoopObserver(String bootstrapServers, String targetId, Milestones milestones) {
        this.targetId = targetId;
        this.milestones = milestones;
        consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrapServers,
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "connguard-drill-" + UUID.randomUUID(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        "false"),
                new StringDeserializer(),
                new ByteArrayDeserializer());
        consumer.subscribe(List.of(Topics.PRESSURE, Topics.ACTIONS));
        thread = new Thread(this::run, "drill-observer");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (true) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    if (targetId.equals(record.key())) {
                        handle(record);
                        events.incrementAndGet();
                    }
                }
            }
        } catch (WakeupException closing) {
            // close() woke us up
        } finally {
            consumer.close(Duration.ofSeconds(1));
        }
    }

    private void handle(ConsumerRecord<String, byte[]> record) {
        Header type = record.headers().lastHeader(KafkaCloudEvents.TYPE_HEADER);
        String typeName = type == null ? "" : new String(type.value(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            if (EventType.PRESSURE_CHANGED.type().equals(typeName)) {
                CloudEvent<PressureChanged> event =
                        KafkaCloudEvents.decode(record.headers(), record.value(), EventType.PRESSURE_CHANGED);
                synchronized (milestones) {
                    milestones.pressure(event.time(), event.data());
                }
            } else if (EventType.ACTION.type().equals(typeName)) {
                CloudEvent<ActionEvent> event =
                        KafkaCloudEvents.decode(record.headers(), record.value(), EventType.ACTION);
                synchronized (milestones) {
                    milestones.action(event.time(), event.data());
                }
            }
        } catch (MalformedEventException e) {
            LOG.warnf("unreadable record on %s at offset %d: %s", record.topic(), record.offset(), e.getMessage());
        }
    }

    /** Records of the target read so far, of every type: what the audit service must have stored too. */
    public long events() {
        return events.get();
    }

    @Override
    public void close() throws InterruptedException {
        consumer.wakeup();
        thread.join(3000);
    }
}
