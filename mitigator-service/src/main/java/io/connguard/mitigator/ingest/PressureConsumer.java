package io.connguard.mitigator.ingest;

import io.connguard.events.EventType;
import io.connguard.events.KafkaCloudEvents;
import io.connguard.mitigator.run.TargetActors;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code connguard.pressure}. A record's offset is committed only after every action event it caused was
 * acknowledged by the broker (the returned Uni completes then). A record that is not a valid pressure CloudEvent
 * fails decoding and goes to {@code connguard.pressure.dlq} with the reason; consumption carries on.
 */
@ApplicationScoped
public class PressureConsumer {

    private static final Logger LOG = Logger.getLogger(PressureConsumer.class);

    private final TargetActors actors;

    PressureConsumer(TargetActors actors) {
        this.actors = actors;
    }

    @Incoming("pressure")
    public Uni<Void> consume(ConsumerRecord<String, byte[]> record) {
        var event = KafkaCloudEvents.decode(record.headers(), record.value(), EventType.PRESSURE_CHANGED);
        LOG.debugf("pressure %s: %s", event.subject(), event.data().level());
        return actors.onPressure(event);
    }
}
