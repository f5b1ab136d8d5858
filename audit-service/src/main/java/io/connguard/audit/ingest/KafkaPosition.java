package io.connguard.audit.ingest;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Where a record was read: kept with every stored event and quarantined record. */
public record KafkaPosition(String topic, int partition, long offset) {

    public static KafkaPosition of(ConsumerRecord<?, ?> record) {
        return new KafkaPosition(record.topic(), record.partition(), record.offset());
    }

    @Override
    public String toString() {
        return topic + "/" + partition + "@" + offset;
    }
}
