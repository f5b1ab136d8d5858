package io.connguard.mitigator.publish;

import io.connguard.events.ActionEvent;
import io.connguard.events.CloudEvent;
import io.connguard.events.EventType;
import io.connguard.events.KafkaCloudEvents;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.time.Clock;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Publishes action events to {@code connguard.actions}. The CloudEvent id derives from the action id and outcome, so
 * re-publishing the same step after a redelivery produces the same id and downstream stores it once.
 */
@ApplicationScoped
public class ActionPublisher {

    private final MutinyEmitter<byte[]> emitter;
    private final URI source;
    private final Clock clock;

    ActionPublisher(
            @Channel("actions") MutinyEmitter<byte[]> emitter,
            @ConfigProperty(name = "connguard.mitigator.source", defaultValue = "urn:connguard:mitigator") URI source,
            Clock clock) {
        this.emitter = emitter;
        this.source = source;
        this.clock = clock;
    }

    /** Completes once the broker acknowledged the event. */
    public Uni<CloudEvent<ActionEvent>> publish(ActionEvent action) {
        String id = UUID.nameUUIDFromBytes((action.actionId() + "/" + action.outcome()).getBytes())
                .toString();
        CloudEvent<ActionEvent> event =
                new CloudEvent<>(id, source, EventType.ACTION.type(), action.targetId(), clock.instant(), action);
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(event.subject())
                .withHeaders(KafkaCloudEvents.headers(event))
                .build();
        return emitter.sendMessage(Message.of(KafkaCloudEvents.data(event)).addMetadata(metadata))
                .replaceWith(event);
    }
}
