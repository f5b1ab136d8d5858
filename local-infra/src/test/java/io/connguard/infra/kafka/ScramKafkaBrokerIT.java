package io.connguard.infra.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A broker that requires SASL/SCRAM-SHA-512 serves the client with the credentials and refuses the others. */
class ScramKafkaBrokerIT {

    private static final String TOPIC = "it.secured";
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void start() {
        long started = System.nanoTime();
        broker = EmbeddedKafkaBroker.startWithScram("connguard", "s3cret");
        System.out.printf(
                "[measure] SCRAM Kafka broker start: %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        broker.createTopics(TOPIC);
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void aClientWithTheScramPropertiesProducesAndConsumes() {
        assertThat(broker.clientProperties())
                .containsEntry("security.protocol", "SASL_PLAINTEXT")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry(
                        "sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required"
                                + " username=\"connguard\" password=\"s3cret\";");
        try (TopicTail tail = TopicTail.fromNow(broker.bootstrapServers(), broker.clientProperties(), TOPIC);
                TopicWriter writer = new TopicWriter(broker.bootstrapServers(), broker.clientProperties())) {
            writer.send(new ProducerRecord<>(TOPIC, "target-1", "pressure".getBytes(StandardCharsets.UTF_8)));
            ConsumerRecord<String, byte[]> record =
                    tail.await(r -> "target-1".equals(r.key()), Duration.ofSeconds(30), "key target-1");
            assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("pressure");
        }
    }

    @Test
    void aWrongPasswordIsRefused() {
        Map<String, Object> config = new HashMap<>(broker.clientProperties());
        config.put(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"connguard\" password=\"guessed\";");
        try (KafkaProducer<String, byte[]> producer = producer(config)) {
            assertThatThrownBy(() -> producer.send(record()).get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(SaslAuthenticationException.class)
                    .hasMessageContaining("invalid credentials");
        }
    }

    @Test
    void aClientWithoutCredentialsIsRefused() {
        // the SASL listener drops a plaintext client's requests, so it never learns the topic's leader
        try (KafkaProducer<String, byte[]> producer = producer(new HashMap<>())) {
            assertThatThrownBy(() -> producer.send(record()).get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(TimeoutException.class);
        }
    }

    private static ProducerRecord<String, byte[]> record() {
        return new ProducerRecord<>(TOPIC, "target-1", "forged".getBytes(StandardCharsets.UTF_8));
    }

    private static KafkaProducer<String, byte[]> producer(Map<String, Object> config) {
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 3_000);
        return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }
}
