package io.connguard.events;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka value deserializer for consumers on plain kafka-clients: reads a binary-mode record of any
 * type into a {@code CloudEvent<JsonNode>} ({@link KafkaCloudEvents#decodeAny}); use
 * {@code EventJson.mapper().treeToValue(event.data(), type.dataClass())} for a typed payload.
 *
 * <p>A record that violates the contract fails with a {@link SerializationException} whose cause is the
 * {@link MalformedEventException}; kafka-clients surfaces it as a {@code RecordDeserializationException}
 * from {@code poll()}. Consumers that dead-letter such records are simpler with a
 * {@code ByteArrayDeserializer} and {@link KafkaCloudEvents#decode}.
 */
public class CloudEventDeserializer implements Deserializer<CloudEvent<JsonNode>> {

    @Override
    public CloudEvent<JsonNode> deserialize(String topic, byte[] data) {
        throw new SerializationException("a CloudEvent in binary mode needs the record headers");
    }

    @Override
    public CloudEvent<JsonNode> deserialize(String topic, Headers headers, byte[] data) {
        try {
            return KafkaCloudEvents.decodeAny(headers, data);
        } catch (MalformedEventException e) {
            throw new SerializationException(e.getMessage(), e);
        }
    }
}
