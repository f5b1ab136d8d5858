package io.connguard.detector;

import static io.connguard.detector.DetectorEndpoints.assertAlive;
import static io.connguard.detector.DetectorEndpoints.awaitLevel;
import static io.connguard.detector.DetectorEndpoints.lastLevel;
import static io.connguard.detector.DetectorEndpoints.metric;
import static io.connguard.detector.DetectorEndpoints.samples;
import static io.connguard.detector.KafkaOutageTestInfra.TARGET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connguard.events.CloudEvent;
import io.connguard.events.Level;
import io.connguard.events.PressureChanged;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * A short Kafka outage delays pressure events but loses none: the broker is really stopped (clients get connection
 * refused) and restarted on the same port from the same log directory, while the detector samples a real cluster.
 */
@QuarkusTest
@TestProfile(PublishDuringKafkaOutageTest.ShortProducerTimeouts.class)
class PublishDuringKafkaOutageTest {

    private static final String DELIVERY_TIMEOUT = "mp.messaging.outgoing.pressure.delivery.timeout.ms";
    private static final String MAX_BLOCK = "mp.messaging.outgoing.pressure.max.block.ms";

    /**
     * The default publish.max-pending; the producer's 120 s compressed to 20 s. The detector's start-up event gave the
     * producer the topic's metadata, so the outage's events wait as records whose delivery.timeout.ms runs from their
     * creation: the outage (over 4 s of events, then the broker's restart, more on a loaded machine) must stay well
     * within it. At 8 s the ELEVATED event expired there.
     */
    public static class ShortProducerTimeouts extends KafkaOutageTestInfra.Profile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    DELIVERY_TIMEOUT,
                    "20000",
                    // Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms
                    "mp.messaging.outgoing.pressure.request.timeout.ms",
                    "3000");
        }
    }

    /** Events published while the broker is down: ELEVATED, then periodic updates every 500 ms; over 4 s in all. */
    private static final int WAITING = 8;

    @Test
    void aProducerWithoutTopicMetadataWaitsForTheBrokerAsLongAsItRetriesARecord() {
        // a producer that lost every broker forgets the topic's metadata (as after metadata.max.idle.ms without an
        // event)
        // and send() blocks for max.block.ms; were it shorter, SmallRye would re-send the first event after later ones
        Config config = ConfigProvider.getConfig();
        assertThat(config.getValue(MAX_BLOCK, Long.class)).isEqualTo(config.getValue(DELIVERY_TIMEOUT, Long.class));
    }

    @Test
    void eventsRaisedDuringAShortOutageArriveInOrderAfterItAndNoneIsDropped() throws Exception {
        try (PressureEvents events =
                        new PressureEvents(KafkaOutageTestInfra.kafka().bootstrapServers());
                HeldConnections clients = new HeldConnections(KafkaOutageTestInfra.target())) {
            awaitLevel(TARGET, Level.OK);
            assertThat(metric("connguard_events_dropped_total"))
                    .as("the drop counter exists before the first event, for alerts")
                    .isZero();
            assertThat(metric("connguard_events_pending")).isZero();

            KafkaOutage outage = KafkaOutage.begin(KafkaOutageTestInfra.kafka());
            double samplesAtStop = samples(TARGET);
            // the detector holds one of the 17 usable slots: 14 of 17 is 82 %
            clients.open(13);
            await("ELEVATED and periodic updates wait for Kafka")
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> metric("connguard_events_pending") >= WAITING);
            assertThat(lastLevel(TARGET)).as("sampling went on without Kafka").isEqualTo(Level.ELEVATED);
            assertThat(samples(TARGET) - samplesAtStop)
                    .as("samples taken during the outage")
                    .isGreaterThanOrEqualTo(WAITING);
            assertAlive();
            double waiting = metric("connguard_events_pending");
            outage.end();

            List<CloudEvent<PressureChanged>> delivered = outage.deliveredSinceStop(events, TARGET);
            List<CloudEvent<PressureChanged>> duringOutage = outage.sampledDuring(delivered);
            assertThat(duringOutage)
                    .as("every event published while Kafka was down")
                    .hasSizeGreaterThanOrEqualTo((int) waiting);
            PressureChanged elevated = duringOutage.get(0).data();
            assertThat(elevated.level()).isEqualTo(Level.ELEVATED);
            assertThat(elevated.levelChanged()).isTrue();
            assertThat(elevated.reason()).isEqualTo("ratio_above_elevated");
            assertThat(elevated.incidentId()).isNotBlank();
            assertThat(duringOutage.subList(1, duringOutage.size())).allSatisfy(update -> {
                assertThat(update.data().level()).isEqualTo(Level.ELEVATED);
                assertThat(update.data().reason()).isEqualTo(PressureChanged.REASON_PERIODIC);
                assertThat(update.data().incidentId()).isEqualTo(elevated.incidentId());
            });
            assertThat(delivered)
                    .as("in sample order, each once")
                    .extracting(e -> e.data().sampledAt())
                    .isSorted()
                    .doesNotHaveDuplicates();
            assertThat(delivered).extracting(CloudEvent::id).doesNotHaveDuplicates();

            assertThat(metric("connguard_events_dropped_total")).isZero();
            assertAlive();
        }
    }
}
