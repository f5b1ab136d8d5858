package io.connguard.audit.ingest;

import io.connguard.audit.store.EventStore;
import io.connguard.events.KafkaCloudEvents;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Stores every record of every {@code connguard.*} topic. The offset is committed after the row is durable (the
 * method returns after the commit of the insert); an unreadable record goes to {@code connguard.audit.dlq} with the
 * reason and ingest carries on.
 */
@ApplicationScoped
public class EventIngest {

    private static final Logger LOG = Logger.getLogger(EventIngest.class);

    private final EventStore store;

    EventIngest(EventStore store) {
        this.store = store;
    }

    @Incoming("events")
    @Blocking
    public void ingest(ConsumerRecord<String, byte[]> record) {
        var event = KafkaCloudEvents.decodeAny(record.headers(), record.value());
        boolean added = store.append(event, record.topic(), record.partition(), record.offset());
        if (!added) {
            LOG.debugf("event %s from %s already stored", event.id(), event.source());
        }
    }
}
