package io.connguard.drill.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.connguard.events.ActionEvent;
import io.connguard.events.Capacity;
import io.connguard.events.Command;
import io.connguard.events.Connections;
import io.connguard.events.Level;
import io.connguard.events.Mode;
import io.connguard.events.Outcome;
import io.connguard.events.PressureChanged;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MilestonesTest {

    private static final Instant ONSET = Instant.parse("2026-11-27T04:00:00Z");
    private static final int USABLE = 55;

    private final Milestones m = new Milestones(0.80);

    @Test
    void aFullLoopYieldsEveryTimeMeasuredFromOnset() {
        m.sample(ONSET.minusSeconds(5), 18, USABLE);
        m.onset(ONSET);
        m.sample(at(500), 50, USABLE);
        m.pressure(at(700), pressure(Level.CRITICAL, "ratio_above_critical", 52));
        m.action(at(900), action("pause-ingestion", Outcome.SUCCEEDED, "starforge/starforge-flags", at(800)));
        m.action(at(1000), action("scale-workload", Outcome.SUCCEEDED, "starforge/etl-worker", at(950)));
        m.sample(at(2500), 20, USABLE);
        m.pressure(at(20_000), pressure(Level.OK, PressureChanged.REASON_INCIDENT_RESOLVED, 20));
        m.action(at(30_000), action("restore-workload", Outcome.REVERTED, "starforge/etl-worker", at(30_000)));
        assertThat(m.toFullyRestored()).as("ingestion still paused").isEmpty();
        assertThat(m.outstandingChanges()).containsExactly("ingestion");
        m.action(at(40_000), action("resume-ingestion", Outcome.REVERTED, "starforge/starforge-flags", at(40_000)));

        assertThat(m.toDetected()).contains(Duration.ofMillis(700));
        assertThat(m.toReachedThreshold()).contains(Duration.ofMillis(500));
        assertThat(m.toFirstAction()).as("from the action's startedAt").contains(Duration.ofMillis(800));
        assertThat(m.toBackUnder()).contains(Duration.ofMillis(2500));
        assertThat(m.toIncidentResolved()).contains(Duration.ofSeconds(20));
        assertThat(m.toFullyRestored()).contains(Duration.ofSeconds(40));
        assertThat(m.relapse()).isEmpty();
        assertThat(m.incidentId()).contains("inc-1");
    }

    @Test
    void relievedOnlyAfterTheThresholdWasReached() {
        m.onset(ONSET);
        m.sample(at(100), 30, USABLE);
        m.sample(at(200), 20, USABLE);
        assertThat(m.toBackUnder()).isEmpty();

        m.sample(at(300), 44, USABLE); // 44/55 = 0.80: at the threshold
        m.sample(at(400), 43, USABLE);
        assertThat(m.toBackUnder()).contains(Duration.ofMillis(400));
    }

    @Test
    void goingBackOverTheThresholdAfterReliefIsARelapse() {
        m.onset(ONSET);
        m.sample(at(100), 50, USABLE);
        m.sample(at(200), 20, USABLE);
        m.sample(at(300), 46, USABLE);

        assertThat(m.relapse()).contains(at(300));
    }

    @Test
    void decisionsToDoNothingSkippedStepsAndDryRunsAreNotActions() {
        m.onset(ONSET);
        m.pressure(at(500), pressure(Level.ELEVATED, "ratio_above_elevated", 45));
        m.action(at(600), action(ActionEvent.ACTION_NONE, Outcome.NOOP, null, at(600)));
        m.action(at(650), action("pause-ingestion", Outcome.DRY_RUN, "starforge/starforge-flags", at(650)));
        m.action(at(700), action("scale-workload", Outcome.SKIPPED, "starforge/etl-worker", at(700)));

        assertThat(m.toFirstAction()).isEmpty();
        assertThat(m.actions()).extracting(ActionEvent::action).containsExactly("pause-ingestion", "scale-workload");
        assertThat(m.lastAction()).map(ActionEvent::outcome).contains(Outcome.SKIPPED);
    }

    @Test
    void eventsBeforeOnsetAreNoMilestones() {
        m.pressure(ONSET.minusSeconds(1), pressure(Level.ELEVATED, "ratio_above_elevated", 45));
        m.onset(ONSET);

        assertThat(m.toDetected()).isEmpty();
        assertThat(m.level()).isEqualTo(Level.ELEVATED);
    }

    private static Instant at(long millis) {
        return ONSET.plusMillis(millis);
    }

    private static PressureChanged pressure(Level level, String reason, int total) {
        return new PressureChanged(
                "starforge",
                "inc-1",
                level,
                Level.OK,
                true,
                reason,
                ONSET,
                1.0,
                Capacity.of(60, 5, 0),
                new Connections(total, 1, total - 1, 0, 0, 0, 0, 5, 0),
                total / (double) USABLE,
                List.of(),
                List.of(),
                List.of(),
                null,
                List.of(),
                null,
                null);
    }

    private static ActionEvent action(String kind, Outcome outcome, String target, Instant started) {
        return new ActionEvent(
                kind + "-" + started.toEpochMilli(),
                "starforge",
                "inc-1",
                null,
                kind,
                kind,
                Mode.ENFORCE,
                outcome,
                new Command("kubernetes", "...", target),
                null,
                null,
                null,
                outcome == Outcome.SKIPPED ? "cooldown" : null,
                null,
                started,
                started,
                0L);
    }
}
