package io.connguard.detector;

import static io.connguard.detector.DetectorEndpoints.assertAlive;
import static io.connguard.detector.SilentPartitionTestInfra.TARGET;
import static org.assertj.core.api.Assertions.assertThat;

import io.connguard.events.CloudEvent;
import io.connguard.events.Level;
import io.connguard.events.PressureChanged;
import io.connguard.infra.net.FaultyTcpProxy;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * A silent network partition between the detector and its target: the proxy keeps every socket open and drops every
 * byte, so no RST or FIN ever tells the probe, and its TCP stays healthy. The detector must still report the target
 * UNKNOWN within twice its statement timeout, keep reporting it while the partition lasts, and sample again after the
 * heal. Real PostgreSQL, real broker; the times are measured and logged (docs/reliability.md, scenario 4).
 */
@QuarkusTest
@TestProfile(SilentPartitionTestInfra.Profile.class)
class SilentPartitionTest {

    private static final Logger LOG = Logger.getLogger(SilentPartitionTest.class);

    @Test
    void aSilentPartitionIsUnknownWithinTwiceTheStatementTimeoutAndSamplingResumesAfterTheHeal() {
        FaultyTcpProxy proxy = SilentPartitionTestInfra.proxy();
        Duration statementTimeout =
                ConfigProvider.getConfig().getValue("connguard.detector.probe.statement-timeout", Duration.class);
        try (PressureEvents events = new PressureEvents()) {
            events.await(TARGET, p -> p.level() == Level.OK, "an OK sample before the partition");

            long droppedBefore = proxy.droppedBytes();
            Instant partitioned = Instant.now();
            proxy.blackhole();
            CloudEvent<PressureChanged> unknown;
            Instant unknownSeen;
            try {
                unknown = events.await(TARGET, p -> p.level() == Level.UNKNOWN, "UNKNOWN during the partition");
                unknownSeen = Instant.now();
                Instant firstUnknown = unknown.data().sampledAt();
                CloudEvent<PressureChanged> stillUnknown = events.await(
                        TARGET, p -> p.sampledAt().isAfter(firstUnknown), "a later event during the partition");
                assertThat(stillUnknown.data().level())
                        .as("blind while the partition lasts")
                        .isEqualTo(Level.UNKNOWN);
                assertAlive();
            } finally {
                proxy.heal();
            }
            Instant healed = Instant.now();
            CloudEvent<PressureChanged> recovered =
                    events.await(TARGET, p -> p.level() == Level.OK, "an OK sample after the heal");
            Instant recoveredSeen = Instant.now();

            Duration toUnknown = Duration.between(partitioned, unknownSeen);
            Duration toRecover = Duration.between(healed, recoveredSeen);
            LOG.infof(
                    "silent partition: UNKNOWN on the topic %d ms after the partition began (sampled after %d ms,"
                            + " statement timeout %d ms); OK on the topic %d ms after the heal",
                    toUnknown.toMillis(),
                    Duration.between(partitioned, unknown.data().sampledAt()).toMillis(),
                    statementTimeout.toMillis(),
                    toRecover.toMillis());

            assertThat(unknown.data().levelChanged()).isTrue();
            assertThat(unknown.data().previousLevel()).isEqualTo(Level.OK);
            assertThat(unknown.data().reason()).isEqualTo(PressureChanged.REASON_PROBE_FAILED);
            assertThat(unknown.data().error()).contains("no answer");
            assertThat(unknown.data().connections()).isNull();
            assertThat(toUnknown).as("time to UNKNOWN").isLessThan(statementTimeout.multipliedBy(2));
            assertThat(proxy.droppedBytes())
                    .as("the probe talked into the partition")
                    .isGreaterThan(droppedBefore);

            assertThat(recovered.data().levelChanged()).isTrue();
            assertThat(recovered.data().previousLevel()).isEqualTo(Level.UNKNOWN);
            assertThat(recovered.data().connections()).isNotNull();
            assertThat(recovered.data().sampledAt()).isAfter(healed);
        }
    }
}
