package io.connguard.infra.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.connguard.infra.SharedInfra;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class TopicTailIT {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void fromNowSeesARecordPublishedRightAfterItWasCreated() {
        String bootstrap = SharedInfra.kafka().bootstrapServers();
        SharedInfra.kafka().createTopics("tail.from-now");
        try (TopicTail tail = TopicTail.fromNow(bootstrap, "tail.from-now");
                TopicWriter writer = new TopicWriter(bootstrap)) {
            writer.send(new ProducerRecord<>("tail.from-now", "k", bytes("right after")));

            assertThat(tail.await(r -> true, WAIT, "the record").value()).isEqualTo(bytes("right after"));
        }
    }

    @Test
    void fromBeginningKeepsTheRecordsPolledWhileWaitingForTheAssignment() {
        String bootstrap = SharedInfra.kafka().bootstrapServers();
        SharedInfra.kafka().createTopics("tail.from-beginning");
        try (TopicWriter writer = new TopicWriter(bootstrap)) {
            writer.send(new ProducerRecord<>("tail.from-beginning", "k", bytes("first")));
        }
        try (TopicTail tail = TopicTail.fromBeginning(bootstrap, "tail.from-beginning")) {
            assertThat(tail.await(r -> true, WAIT, "the first record").value()).isEqualTo(bytes("first"));
        }
    }

    @Test
    void recordsPolledTogetherWithAMatchAreKeptForTheNextAwait() {
        String bootstrap = SharedInfra.kafka().bootstrapServers();
        SharedInfra.kafka().createTopics("tail.together");
        try (TopicTail tail = TopicTail.fromNow(bootstrap, "tail.together");
                TopicWriter writer = new TopicWriter(bootstrap)) {
            // like an action's PLANNED and its results: written faster than the tail polls, so polls return several
            for (int i = 0; i < 20; i++) {
                writer.send(new ProducerRecord<>("tail.together", "k", bytes("record " + i)));
            }
            for (int i = 0; i < 20; i++) {
                assertThat(tail.await(r -> true, WAIT, "record " + i).value()).isEqualTo(bytes("record " + i));
            }
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
