package io.connguard.infra.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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

            try (KafkaProducer<String, String> producer = producer(broker)) {
                RecordMetadata written = producer.send(new ProducerRecord<>("it.events", "target-1", "pressure=0.93"))
                        .get(30, TimeUnit.SECONDS);
                assertThat(written.offset()).isZero();
            }

            assertThat(readFromBeginning(broker, "it.events", 1))
                    .singleElement()
                    .satisfies(record -> {
                        assertThat(record.key()).isEqualTo("target-1");
                        assertThat(record.value()).isEqualTo("pressure=0.93");
                    });
        }
        assertThat(Files.exists(directory)).as("log directory deleted on close").isFalse();
    }

    @Test
    void recordsSurviveARestartAndARecordSentWhileTheBrokerIsDownArrivesAfterIt() throws Exception {
        Path directory;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
                KafkaProducer<String, String> producer = producer(broker)) {
            directory = broker.directory();
            String bootstrapServers = broker.bootstrapServers();
            broker.createTopics("it.outage");
            String clusterId = clusterId(broker);
            producer.send(new ProducerRecord<>("it.outage", "target-1", "before"))
                    .get(30, TimeUnit.SECONDS);

            long stopping = System.nanoTime();
            broker.stop();
            System.out.printf(
                    "[measure] embedded Kafka broker stop: %d ms%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping));
            assertThat(directory).as("log directory kept while stopped").isDirectory();
            // on another thread: a client that lost every broker re-bootstraps and forgets the topic's metadata, and
            // then send() itself blocks (up to max.block.ms) until a broker answers
            CompletableFuture<RecordMetadata> sentWhileDown = CompletableFuture.supplyAsync(() -> {
                try {
                    return producer.send(new ProducerRecord<>("it.outage", "target-1", "during"))
                            .get();
                } catch (InterruptedException | ExecutionException e) {
                    throw new CompletionException(e);
                }
            });
            assertThatThrownBy(() -> sentWhileDown.get(500, TimeUnit.MILLISECONDS))
                    .as("no broker acknowledges the record while it is down")
                    .isInstanceOf(TimeoutException.class);

            long restarting = System.nanoTime();
            broker.restart();
            System.out.printf(
                    "[measure] embedded Kafka broker restart: %d ms%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarting));
            assertThat(broker.bootstrapServers()).isEqualTo(bootstrapServers);
            assertThat(clusterId(broker)).as("same cluster, not a new format").isEqualTo(clusterId);
            assertThat(sentWhileDown.get(30, TimeUnit.SECONDS).offset())
                    .as("the producer's retry lands after the record written before the stop")
                    .isEqualTo(1);

            assertThat(readFromBeginning(broker, "it.outage", 2))
                    .extracting(ConsumerRecord::value)
                    .containsExactly("before", "during");
        }
        assertThat(Files.exists(directory)).as("log directory deleted on close").isFalse();
    }

    private static KafkaProducer<String, String> producer(KafkaBroker broker) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class));
    }

    /** The first {@code count} records of a single-partition topic, read by a new consumer group. */
    private static List<ConsumerRecord<String, String>> readFromBeginning(KafkaBroker broker, String topic, int count) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                "it-consumer-" + topic,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class))) {
            consumer.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> received = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (received.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
            }
            return received;
        }
    }

    private static String clusterId(KafkaBroker broker) throws Exception {
        try (Admin admin = KafkaTopics.admin(broker.bootstrapServers())) {
            return admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS);
        }
    }
}
