package io.connguard.detector;

import io.connguard.events.CloudEvent;
import io.connguard.events.PressureChanged;
import io.connguard.infra.kafka.EmbeddedKafkaBroker;
import java.time.Instant;
import java.util.List;

/** One outage of a test's own broker, and the instants that tell the events sampled during it from the others. */
final class KafkaOutage {

    private final EmbeddedKafkaBroker kafka;
    private final Instant stopped;
    private Instant restarting;

    private KafkaOutage(EmbeddedKafkaBroker kafka) {
        this.kafka = kafka;
        kafka.stop();
        this.stopped = Instant.now();
    }

    /** Stops the broker: clients get connection refused until {@link #end()}. */
    static KafkaOutage begin(EmbeddedKafkaBroker kafka) {
        return new KafkaOutage(kafka);
    }

    /** Restarts the broker on the same port from the same log directory. */
    void end() {
        restarting = Instant.now();
        kafka.restart();
    }

    /**
     * The target's events sampled since the stop, in the order the topic holds them, up to the first one sampled
     * after the restart began: proof that publishing resumed. Call after {@link #end()}.
     */
    List<CloudEvent<PressureChanged>> deliveredSinceStop(PressureEvents events, String targetId) {
        Instant restarted = restarting;
        return events
                .collect(targetId, p -> p.sampledAt().isAfter(restarted), "an event sampled after the restart")
                .stream()
                .filter(e -> e.data().sampledAt().isAfter(stopped))
                .toList();
    }

    /** Of {@code delivered}, the events sampled while the broker was down. */
    List<CloudEvent<PressureChanged>> sampledDuring(List<CloudEvent<PressureChanged>> delivered) {
        return delivered.stream()
                .filter(e -> e.data().sampledAt().isBefore(restarting))
                .toList();
    }
}
