package io.connguard.audit.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connguard.events.CloudEvent;
import io.connguard.events.EventJson;
import io.connguard.events.EventType;
import io.connguard.events.KafkaCloudEvents;
import io.connguard.events.MalformedEventException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One poll's records split into the events to store and the records to quarantine. Decoding never throws for bad
 * input: a record that is not a CloudEvent, or whose payload does not fit its known type, is quarantined with the
 * reason. An event of a type this contract does not know is stored as it is.
 */
public record Batch(List<IncomingEvent> events, List<Quarantined> quarantined) {

    private static final ObjectMapper JSON = EventJson.mapper();

    public static Batch decode(Iterable<ConsumerRecord<String, byte[]>> records) {
        List<IncomingEvent> events = new ArrayList<>();
        List<Quarantined> quarantined = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                CloudEvent<JsonNode> event = KafkaCloudEvents.decodeAny(record.headers(), record.value());
                checkKnownType(event);
                events.add(new IncomingEvent(event, record));
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

    // the incident projection reads fields of the known types, so their payloads must fit the contract
    private static void checkKnownType(CloudEvent<JsonNode> event) {
        Optional<EventType<?>> type = EventType.of(event.type());
        if (type.isEmpty()) {
            return;
        }
        Object data;
        try {
            data = JSON.treeToValue(event.data(), type.get().dataClass());
        } catch (JsonProcessingException | IllegalArgumentException e) {
            String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new MalformedEventException("invalid data for " + event.type() + ": " + firstLine(message), e);
        }
        try {
            new CloudEvent<>(event.id(), event.source(), event.type(), event.subject(), event.time(), data);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new MalformedEventException("invalid event " + event.id() + ": " + e.getMessage(), e);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
