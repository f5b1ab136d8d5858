package io.connguard.detector;

import static io.connguard.detector.DetectorEndpoints.assertAlive;
import static io.connguard.detector.DetectorEndpoints.awaitLevel;
import static io.connguard.detector.DetectorEndpoints.lastLevel;
import static io.connguard.detector.DetectorEndpoints.metric;
import static io.connguard.detector.DetectorEndpoints.samples;
import static io.connguard.detector.KafkaOutageTestInfra.TARGET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connguard.detector.publish.PressurePublisher;
import io.connguard.events.CloudEvent;
import io.connguard.events.Level;
import io.connguard.events.PressureChanged;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bound on waiting events: while the broker is down, events beyond {@code publish.max-pending} are dropped, counted
 * and logged, sampling goes on, and once the broker is back the waiting events and new ones are published.
 */
@QuarkusTest
@TestProfile(PendingLimitDuringKafkaOutageTest.ThreePending.class)
class PendingLimitDuringKafkaOutageTest {

    private static final int MAX_PENDING = 3;

    /** Room for three unacknowledged events. */
    public static class ThreePending extends KafkaOutageTestInfra.Profile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("connguard.detector.publish.max-pending", Integer.toString(MAX_PENDING));
        }
    }

    // strong reference: java.util.logging keeps loggers weakly, and a collected logger forgets its handlers
    private static final Logger PUBLISHER_LOG = Logger.getLogger(PressurePublisher.class.getName());

    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final Handler errorLog = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()) {
                errors.add(record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage());
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void captureErrors() {
        PUBLISHER_LOG.addHandler(errorLog);
    }

    @AfterEach
    void stopCapturing() {
        PUBLISHER_LOG.removeHandler(errorLog);
    }

    @Test
    void eventsBeyondMaxPendingAreDroppedCountedAndLoggedAndPublishingResumesAfterTheOutage() throws Exception {
        try (PressureEvents events =
                        new PressureEvents(KafkaOutageTestInfra.kafka().bootstrapServers());
                HeldConnections clients = new HeldConnections(KafkaOutageTestInfra.target())) {
            awaitLevel(TARGET, Level.OK);
            assertThat(metric("connguard_events_pending")).isZero();

            KafkaOutage outage = KafkaOutage.begin(KafkaOutageTestInfra.kafka());
            // the detector holds one of the 17 usable slots: 14 of 17 is 82 %; ELEVATED, then an update every 500 ms
            clients.open(13);
            await("events beyond the three waiting ones are dropped")
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> metric("connguard_events_dropped_total") >= 2);
            assertThat(metric("connguard_events_pending"))
                    .as("at most max-pending events wait for Kafka")
                    .isEqualTo(MAX_PENDING);
            assertThat(errors)
                    .as("each drop is logged with its target, level and why")
                    .anySatisfy(line -> assertThat(line)
                            .contains("DROPPED pressure event", "target " + TARGET, "level ELEVATED")
                            .contains("more than " + MAX_PENDING + " events wait for Kafka"));
            double samplesAtDrop = samples(TARGET);
            await("sampling goes on").atMost(Duration.ofSeconds(20)).until(() -> samples(TARGET) > samplesAtDrop);
            assertThat(lastLevel(TARGET)).isEqualTo(Level.ELEVATED);
            assertAlive();
            outage.end();

            List<CloudEvent<PressureChanged>> delivered = outage.deliveredSinceStop(events, TARGET);
            List<CloudEvent<PressureChanged>> duringOutage = outage.sampledDuring(delivered);
            assertThat(duringOutage)
                    .as(
                            "the first %d events of the outage waited and are delivered; the later ones were dropped",
                            MAX_PENDING)
                    .hasSize(MAX_PENDING);
            assertThat(duringOutage.get(0).data().level()).isEqualTo(Level.ELEVATED);
            assertThat(duringOutage.get(0).data().levelChanged()).isTrue();
            assertThat(delivered).extracting(e -> e.data().sampledAt()).isSorted();
            await("nothing waits once Kafka is back")
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> metric("connguard_events_pending") == 0);
            assertAlive();
        }
    }
}
