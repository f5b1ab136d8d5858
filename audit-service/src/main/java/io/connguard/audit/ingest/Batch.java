package io.connguard.audit.ingest;

import io.connguard.events.CloudEvent;
import io.connguard.events.EventType;
import io.connguard.events.KafkaCloudEvents;
import io.connguard.events.MalformedEventException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * One poll's records split into the events to store and the records to quarantine. Decoding never throws for bad
 * input: a record that is not a CloudEvent, or whose payload does not fit its known type, is quarantined with the
 * reason. An event of a type this contract does not know is stored as it is.
 */
public record Batch(List<IncomingEvent> events, List<Quarantined> quarantined) {

    public static Batch decode(Iterable<ConsumerRecord<String, byte[]>> records) {
        List<IncomingEvent> events = new ArrayList<>();
        List<Quarantined> quarantined = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                events.add(IncomingEvent.of(read(record), record));
            } catch (MalformedEventException e) {
                quarantined.add(RawRecord.of(record).quarantine(e.getMessage()));
            }
        }
        return new Batch(List.copyOf(events), List.copyOf(quarantined));
    }

    public boolean isEmpty() {
        return events.isEmpty() && quarantined.isEmpty();
    }

    public int size() {
        return events.size() + quarantined.size();
    }

    // the incident projection reads fields of the known types, so their payloads must fit the contract: they are read
    // straight into their records (one parse, which checks them); any other type is read as a JSON tree
    private static CloudEvent<?> read(ConsumerRecord<String, byte[]> record) {
        Header type = record.headers().lastHeader(KafkaCloudEvents.TYPE_HEADER);
        Optional<EventType<?>> known = type == null || type.value() == null
                ? Optional.empty()
                : EventType.of(new String(type.value(), StandardCharsets.UTF_8));
        return known.isPresent()
                ? KafkaCloudEvents.decode(record.headers(), record.value(), known.get())
                : KafkaCloudEvents.decodeAny(record.headers(), record.value());
    }
}
