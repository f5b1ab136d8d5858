package io.connguard.detector.pressure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.connguard.detector.incident.IncidentTracker;
import io.connguard.detector.incident.OpenIncident;
import io.connguard.detector.probe.ProbeSample;
import io.connguard.events.Capacity;
import io.connguard.events.Connections;
import io.connguard.events.Level;
import io.connguard.events.PressureChanged;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the detector publishes when, on fixed sample times: 5 s hold-down, 30 s to resolve, 5 s periodic, 30 s heartbeat. */
class TargetAssessorTest {

    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    private final TargetAssessor assessor = new TargetAssessor(
            "orders-db",
            LevelRules.defaults(),
            new IncidentTracker(Duration.ofSeconds(30)),
            Duration.ofSeconds(5),
            Duration.ofSeconds(30));

    @Test
    void aHealthyTargetIsAnnouncedAtItsFirstSampleAndThenEveryHeartbeat() {
        PressureChanged started = sample(0, 0.5).orElseThrow();
        assertThat(started.reason()).isEqualTo(PressureChanged.REASON_STARTED);
        assertThat(started.level()).isEqualTo(Level.OK);
        assertThat(started.levelChanged()).isFalse();
        assertThat(started.incidentId()).isNull();
        assertThat(started.incidentStartedAt()).isNull();

        List<PressureChanged> published = samples(1, 61, 0.5);

        assertThat(published).extracting(PressureChanged::sampledAt).containsExactly(at(30), at(60));
        assertThat(published).allSatisfy(heartbeat -> {
            assertThat(heartbeat.reason()).isEqualTo(PressureChanged.REASON_HEARTBEAT);
            assertThat(heartbeat.levelChanged()).isFalse();
            assertThat(heartbeat.incidentId()).isNull();
        });
    }

    @Test
    void aFirstSampleThatRaisesTheLevelKeepsItsOwnReason() {
        PressureChanged first = sample(0, 0.85).orElseThrow();

        assertThat(first.reason()).isEqualTo("ratio_above_elevated");
        assertThat(first.levelChanged()).isTrue();
        assertThat(first.incidentId()).isNotNull();
        assertThat(first.incidentStartedAt()).isEqualTo(at(0));
    }

    @Test
    void theOkHoldBeforeAnIncidentResolvesIsPublishedEveryPeriodicUpdate() {
        String incident = sample(0, 0.85).orElseThrow().incidentId();

        // OK after the 5 s hold-down (t=6), resolved once OK held 30 s (t=36), then heartbeats
        List<PressureChanged> published = samples(1, 66, 0.5);

        assertThat(published)
                .extracting(PressureChanged::sampledAt, PressureChanged::level, PressureChanged::reason)
                .containsExactly(
                        tuple(at(5), Level.ELEVATED, "periodic"),
                        tuple(at(6), Level.OK, "below_clear_threshold"),
                        tuple(at(11), Level.OK, "periodic"),
                        tuple(at(16), Level.OK, "periodic"),
                        tuple(at(21), Level.OK, "periodic"),
                        tuple(at(26), Level.OK, "periodic"),
                        tuple(at(31), Level.OK, "periodic"),
                        tuple(at(36), Level.OK, "incident_resolved"),
                        tuple(at(66), Level.OK, "heartbeat"));
        assertThat(published.subList(0, 8)).allSatisfy(event -> {
            assertThat(event.incidentId()).isEqualTo(incident);
            assertThat(event.incidentStartedAt()).isEqualTo(at(0));
        });
        assertThat(published.get(8).incidentId()).isNull();
    }

    @Test
    void aRestoredIncidentContinuesWithItsIdOnsetAndLevelUntilItResolves() {
        Instant onset = T0.minusSeconds(120);
        assessor.restore(new OpenIncident("inc-before-restart", onset, Level.ELEVATED));

        PressureChanged started = sample(0, 0.85).orElseThrow();
        assertThat(started.reason()).isEqualTo(PressureChanged.REASON_STARTED);
        assertThat(started.level()).isEqualTo(Level.ELEVATED);
        assertThat(started.previousLevel()).isEqualTo(Level.ELEVATED);
        assertThat(started.levelChanged())
                .as("no new level: the incident goes on")
                .isFalse();
        assertThat(started.incidentId()).isEqualTo("inc-before-restart");
        assertThat(started.incidentStartedAt()).isEqualTo(onset);

        List<PressureChanged> published = samples(1, 40, 0.5);

        PressureChanged ok = published.stream()
                .filter(PressureChanged::levelChanged)
                .findFirst()
                .orElseThrow();
        assertThat(ok.sampledAt()).isEqualTo(at(6));
        PressureChanged resolved = published.get(published.size() - 1);
        assertThat(resolved.reason()).isEqualTo(PressureChanged.REASON_INCIDENT_RESOLVED);
        assertThat(resolved.sampledAt()).isEqualTo(at(36));
        assertThat(published).allSatisfy(event -> {
            assertThat(event.incidentId()).isEqualTo("inc-before-restart");
            assertThat(event.incidentStartedAt()).isEqualTo(onset);
        });
    }

    @Test
    void aRestoredIncidentOfATargetThatCannotBeSampledStaysOpen() {
        assessor.restore(new OpenIncident("inc-before-restart", T0, Level.UNKNOWN));

        PressureChanged started =
                assessor.onFailure("connection refused", false, at(0)).orElseThrow();

        assertThat(started.level()).isEqualTo(Level.UNKNOWN);
        assertThat(started.reason()).isEqualTo(PressureChanged.REASON_STARTED);
        assertThat(started.incidentId()).isEqualTo("inc-before-restart");
    }

    private List<PressureChanged> samples(int fromSecond, int toSecond, double ratio) {
        List<PressureChanged> published = new ArrayList<>();
        for (int second = fromSecond; second <= toSecond; second++) {
            sample(second, ratio).ifPresent(published::add);
        }
        return published;
    }

    private Optional<PressureChanged> sample(int second, double ratio) {
        int total = (int) Math.round(ratio * 100);
        return assessor.onSample(new ProbeSample(
                at(second),
                1.0,
                Capacity.of(103, 3, 0),
                new Connections(total, 0, total, 0, 0, 0, 0, 6, 0),
                List.of(),
                List.of(),
                List.of(),
                null,
                List.of(),
                null));
    }

    private static Instant at(int second) {
        return T0.plusSeconds(second);
    }
}
