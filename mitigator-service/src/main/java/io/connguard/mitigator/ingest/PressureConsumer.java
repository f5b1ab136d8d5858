package io.connguard.mitigator.ingest;

import io.connguard.events.EventType;
import io.connguard.events.KafkaCloudEvents;
import io.connguard.mitigator.config.MitigatorConfig;
import io.connguard.mitigator.run.TargetActors;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code connguard.pressure}. A record's offset is committed only after every action event it caused was
 * acknowledged by the broker (the returned Uni completes then). A record that is not a valid pressure CloudEvent, or
 * that {@link SenderRules} does not admit, goes to {@code connguard.pressure.dlq} with the reason before any actor
 * sees it; consumption carries on.
 */
@ApplicationScoped
public class PressureConsumer {

    private static final Logger LOG = Logger.getLogger(PressureConsumer.class);

    private final TargetActors actors;
    private final SenderRules rules;
    private final MeterRegistry registry;

    PressureConsumer(TargetActors actors, MitigatorConfig config, MeterRegistry registry) {
        this.actors = actors;
        this.registry = registry;
        this.rules = new SenderRules(
                Set.copyOf(config.acceptedSources()), config.targets().keySet());
        if (rules.targets().isEmpty()) {
            LOG.warn(
                    "no target configured (connguard.mitigator.targets.<id>.*): every pressure event is dead-lettered");
        } else {
            LOG.infof(
                    "acting on pressure events from %s for targets %s",
                    new TreeSet<>(rules.acceptedSources()), new TreeSet<>(rules.targets()));
        }
    }

    @Incoming("pressure")
    public Uni<Void> consume(ConsumerRecord<String, byte[]> record) {
        var event = KafkaCloudEvents.decode(record.headers(), record.value(), EventType.PRESSURE_CHANGED);
        Optional<SenderRules.Rejection> rejection = rules.check(record.key(), event);
        if (rejection.isPresent()) {
            return reject(event.id(), rejection.get());
        }
        LOG.debugf("pressure %s: %s", event.subject(), event.data().level());
        return actors.onPressure(event);
    }

    // a failed Uni nacks the record: it is dead-lettered with this reason, and no actor, thread or per-target metric
    // exists for it; the counter's only tag is the rule, so a flood of ids adds no series
    private Uni<Void> reject(String eventId, SenderRules.Rejection rejection) {
        registry.counter("connguard.pressure.rejected", "rule", rejection.rule())
                .increment();
        LOG.warnf("pressure event %s dead-lettered: %s", eventId, rejection.reason());
        return Uni.createFrom().failure(new RejectedEventException(rejection.reason()));
    }

    /** A well-formed pressure event from a sender or for a target the mitigator does not act for. */
    static final class RejectedEventException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        RejectedEventException(String reason) {
            super(reason);
        }
    }
}
