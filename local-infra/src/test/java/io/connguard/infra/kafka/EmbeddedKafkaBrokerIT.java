package io.connguard.infra.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaBrokerIT {

    @Test
    void aRecordProducedToACreatedTopicComesBackToAConsumer() throws Exception {
        long started = System.nanoTime();
        Path directory;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            long startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            System.out.printf("[measure] embedded Kafka broker start: %d ms%n", startMillis);
            directory = broker.directory();

            broker.createTopic("it.orders", 3);
            broker.createTopics("it.events");
            broker.createTopics("it.events"); // an existing topic is left as it is
            try (Admin admin = KafkaTopics.admin(broker.bootstrapServers())) {
                assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).contains("it.orders", "it.events");
                assertThat(admin.describeTopics(Set.of("it.orders"))
                                .allTopicNames()
                                .get(10, TimeUnit.SECONDS)
                                .get("it.orders")
                                .partitions())
                        .hasSize(3);
            }

            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    broker.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG,
                    "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                    true,
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                    StringSerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                    StringSerializer.class))) {
                RecordMetadata written = producer.send(new ProducerRecord<>("it.events", "target-1", "pressure=0.93"))
                        .get(30, TimeUnit.SECONDS);
                assertThat(written.offset()).isZero();
            }

            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    broker.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG,
                    "it-consumer",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                    "earliest",
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                    StringDeserializer.class,
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                    StringDeserializer.class))) {
                consumer.subscribe(List.of("it.events"));
                List<ConsumerRecord<String, String>> received = new ArrayList<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (received.isEmpty() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(received::add);
                }
                assertThat(received).singleElement().satisfies(record -> {
                    assertThat(record.key()).isEqualTo("target-1");
                    assertThat(record.value()).isEqualTo("pressure=0.93");
                });
            }
        }
        assertThat(Files.exists(directory)).as("log directory deleted on close").isFalse();
    }
}
