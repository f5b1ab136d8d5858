package io.connguard.detector.publish;

import io.connguard.detector.config.DetectorConfig;
import io.connguard.events.CloudEvent;
import io.connguard.events.EventType;
import io.connguard.events.KafkaCloudEvents;
import io.connguard.events.PressureChanged;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Publishes pressure events to {@code connguard.pressure} as binary-mode CloudEvents keyed by target id. The returned
 * {@link Uni} completes when the broker acknowledged the event (acks=all, idempotent producer).
 */
@ApplicationScoped
public class PressurePublisher {

    private final MutinyEmitter<byte[]> emitter;
    private final DetectorConfig config;
    private final Clock clock;

    PressurePublisher(@Channel("pressure") MutinyEmitter<byte[]> emitter, DetectorConfig config, Clock clock) {
        this.emitter = emitter;
        this.config = config;
        this.clock = clock;
    }

    public Uni<CloudEvent<PressureChanged>> publish(PressureChanged pressure) {
        CloudEvent<PressureChanged> event =
                CloudEvent.create(config.source(), EventType.PRESSURE_CHANGED, pressure.targetId(), pressure, clock);
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(event.subject())
                .withHeaders(KafkaCloudEvents.headers(event))
                .build();
        return emitter.sendMessage(Message.of(KafkaCloudEvents.data(event)).addMetadata(metadata))
                .replaceWith(event);
    }
}
