package io.connguard.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka value serializer for producers on plain kafka-clients.
 *
 * <p>Given a payload (e.g. a {@link PressureChanged}), it writes the payload as contract JSON; the
 * producer then has to add the {@code ce_*} headers itself ({@link KafkaCloudEvents#headers}). Given a
 * {@link CloudEvent}, it writes the event's {@code data} and sets the {@code ce_*} and
 * {@code content-type} headers on the record, so {@code producer.send(new ProducerRecord<>(topic,
 * event.subject(), event))} produces a complete binary-mode event. A null value stays null (tombstone).
 */
public class CloudEventDataSerializer implements Serializer<Object> {

    @Override
    public byte[] serialize(String topic, Object data) {
        if (data instanceof CloudEvent<?>) {
            throw new SerializationException(
                    "a CloudEvent needs record headers for its envelope; serialize it with serialize(topic, headers, data)");
        }
        return write(data);
    }

    @Override
    public byte[] serialize(String topic, Headers headers, Object data) {
        if (data instanceof CloudEvent<?> event) {
            if (headers == null) {
                return serialize(topic, event);
            }
            for (var header : KafkaCloudEvents.headers(event)) {
                headers.remove(header.key());
                headers.add(header);
            }
            return KafkaCloudEvents.data(event);
        }
        return write(data);
    }

    private static byte[] write(Object data) {
        if (data == null) {
            return null;
        }
        try {
            return EventJson.mapper().writeValueAsBytes(data);
        } catch (JsonProcessingException e) {
            throw new SerializationException("cannot write " + data.getClass().getName() + " as JSON", e);
        }
    }
}
