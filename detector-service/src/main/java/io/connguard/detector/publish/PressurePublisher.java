package io.connguard.detector.publish;

import io.connguard.detector.config.DetectorConfig;
import io.connguard.events.CloudEvent;
import io.connguard.events.EventType;
import io.connguard.events.KafkaCloudEvents;
import io.connguard.events.PressureChanged;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Publishes pressure events to {@code connguard.pressure} as binary-mode CloudEvents keyed by target id (acks=all,
 * idempotent producer). Sending does not block the caller. While Kafka is unreachable the events wait in the producer
 * (as queued records, or behind a send() that waits for the topic's metadata) and, past the sink's in-flight limit, in
 * the emitter's buffer; the producer retries them in order for delivery.timeout.ms (120 s), so an outage shorter than
 * that delays events but loses and reorders none. At most {@code publish.max-pending} events wait for their
 * acknowledgement; a further event is dropped at once. When the producer gives up on a record, SmallRye's sink re-sends
 * it for up to another delivery.timeout.ms (it may then land after later events) before it fails here: dropped. A
 * dropped event is counted in {@code connguard.events.dropped} and logged at ERROR with its id: never silently.
 *
 * <p>Created at start-up, not on the first event: its meters must be on /q/metrics (at 0) before anything was
 * published, or an alert on the drop counter has no series to watch while every target is OK.
 */
@Startup
@ApplicationScoped
public class PressurePublisher {

    private static final Logger LOG = Logger.getLogger(PressurePublisher.class);

    private final MutinyEmitter<byte[]> emitter;
    private final DetectorConfig config;
    private final Clock clock;
    private final AtomicInteger pending = new AtomicInteger();
    private final Counter dropped;

    PressurePublisher(
            // the buffer size comes from mp.messaging.emitter.default-buffer-size (set from publish.max-pending)
            @Channel("pressure") @OnOverflow(OnOverflow.Strategy.BUFFER) MutinyEmitter<byte[]> emitter,
            DetectorConfig config,
            Clock clock,
            MeterRegistry registry) {
        this.emitter = emitter;
        this.config = config;
        this.clock = clock;
        this.dropped = Counter.builder("connguard.events.dropped")
                .description("Pressure events given up on: too many unacknowledged, or rejected by Kafka")
                .register(registry);
        Gauge.builder("connguard.events.pending", pending, AtomicInteger::get)
                .description("Pressure events sent but not yet acknowledged by Kafka")
                .register(registry);
    }

    /** Hands the event to Kafka; the outcome (ack or drop) is recorded asynchronously. */
    public void publish(PressureChanged pressure) {
        CloudEvent<PressureChanged> event =
                CloudEvent.create(config.source(), EventType.PRESSURE_CHANGED, pressure.targetId(), pressure, clock);
        if (pending.incrementAndGet() > config.publish().maxPending()) {
            pending.decrementAndGet();
            drop(event, "more than " + config.publish().maxPending() + " events wait for Kafka");
            return;
        }
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(event.subject())
                .withHeaders(KafkaCloudEvents.headers(event))
                .build();
        try {
            emitter.sendMessage(Message.of(KafkaCloudEvents.data(event)).addMetadata(metadata))
                    .onTermination()
                    .invoke(pending::decrementAndGet)
                    .subscribe()
                    .with(ignored -> {}, failure -> drop(event, failure.toString()));
        } catch (RuntimeException overflow) {
            pending.decrementAndGet();
            drop(event, overflow.toString());
        }
    }

    private void drop(CloudEvent<PressureChanged> event, String why) {
        dropped.increment();
        PressureChanged p = event.data();
        LOG.errorf(
                "DROPPED pressure event %s of target %s (level %s, reason %s, levelChanged %s): %s",
                event.id(), p.targetId(), p.level(), p.reason(), p.levelChanged(), why);
    }
}
