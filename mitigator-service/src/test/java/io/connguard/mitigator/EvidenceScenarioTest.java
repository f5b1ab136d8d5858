package io.connguard.mitigator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connguard.events.ActionEvent;
import io.connguard.events.Level;
import io.connguard.events.Outcome;
import io.connguard.mitigator.policy.Pressure;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Claims are acted on only when fresh and borne out by the mitigator's own sample of the real target, and an episode
 * whose claims stop is restored from that sample (issue: one CRITICAL event an hour old made a healthy stack pause
 * ingestion and scale etl-worker down, and nothing ever put them back).
 */
@QuarkusTest
@WithTestResource(value = MitigatorTestInfra.class, scope = TestResourceScope.GLOBAL)
class EvidenceScenarioTest {

    @Test
    void aCriticalClaimSampledAnHourAgoChangesNothing() {
        try (Scenario s = new Scenario("healthy-db").withWorkloads()) {
            Instant anHourAgo = Instant.now().minus(Duration.ofHours(1));
            s.send(Scenario.event(
                    Pressure.sampledAt(Pressure.sample(s.target, s.incident, Level.CRITICAL, 96), anHourAgo)));

            ActionEvent noop = s.await("a stale-evidence decision", a -> a.outcome() == Outcome.NOOP);
            assertThat(noop.reason()).startsWith("stale evidence: sampled 3600 s ago");
            assertThat(s.drain(Duration.ofSeconds(2))).isEmpty(); // the ticks that follow start nothing either
            assertThat(s.flag()).isEqualTo("true");
            assertThat(s.replicas("etl-worker")).isEqualTo(4);
        }
    }

    @Test
    void aCriticalClaimForATargetThatIsActuallyHealthyChangesNothing() {
        try (Scenario s = new Scenario("healthy-db").withWorkloads()) {
            s.send(Level.CRITICAL, 96);

            ActionEvent skipped = s.await("pause-ingestion", Outcome.SKIPPED);
            // the shared test server holds a few dozen connections at most: nowhere near 0.86 of its capacity
            assertThat(skipped.reason())
                    .startsWith("not confirmed on the target: own sample ")
                    .contains("claimed ratio 0.96, confirmation needs 0.86");
            assertThat(s.drain(Duration.ofSeconds(2)))
                    .noneMatch(a -> a.outcome() == Outcome.PLANNED || a.outcome() == Outcome.SUCCEEDED);
            assertThat(s.flag()).isEqualTo("true");
            assertThat(s.replicas("etl-worker")).isEqualTo(4);
        }
    }

    @Test
    void aConfirmedActionCarriesTheMitigatorsOwnSampleAsEvidence() {
        try (Scenario s = new Scenario("lease-db").withWorkloads()) {
            s.send(Level.CRITICAL, 96);

            ActionEvent planned = s.await("pause-ingestion", Outcome.PLANNED);
            var confirmation = planned.evidence().get("confirmation");
            assertThat(confirmation.get("clientBackends").asInt()).isPositive();
            assertThat(confirmation.get("usable").asInt()).isEqualTo(37); // max_connections 40 less 3 for superusers
            assertThat(confirmation.get("claimedRatio").asDouble()).isEqualTo(0.96);
            assertThat(confirmation.get("sampleMs").asDouble()).isPositive();
        }
    }

    @Test
    void anEpisodeWhoseClaimsStopIsRestoredFromTheMitigatorsOwnSamples() {
        try (Scenario s = new Scenario("lease-db").withWorkloads()) {
            s.send(Level.CRITICAL, 96);
            s.await("pause-ingestion", Outcome.SUCCEEDED);
            assertThat(s.flag()).isEqualTo("false");
            Instant lastClaim = Instant.now();

            // the detector dies: no claim arrives any more. The lease (3 s) expires, the mitigator says so, reads the
            // target itself (healthy: the shared server is nearly idle) and restores once that held for ok-soak (2 s)
            ActionEvent lapse =
                    s.await("the lapse", a -> a.reason() != null && a.reason().startsWith("no fresh evidence since"));
            assertThat(lapse.outcome()).isEqualTo(Outcome.NOOP);
            assertThat(lapse.reason()).contains("is under 0.80: restoring in stages");
            s.await("resume-ingestion", Outcome.REVERTED);
            await().atMost(Duration.ofSeconds(5)).until(() -> "true".equals(s.flag()));
            // within evidence.timeout + ok-soak + 10 s of the last claim
            assertThat(Duration.between(lastClaim, Instant.now())).isLessThan(Duration.ofSeconds(3 + 2 + 10));
        }
    }
}
