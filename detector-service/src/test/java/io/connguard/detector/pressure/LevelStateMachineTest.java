package io.connguard.detector.pressure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connguard.events.Level;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LevelStateMachineTest {

    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    private final LevelStateMachine machine = new LevelStateMachine(LevelRules.defaults());

    @Test
    void escalatesImmediately() {
        assertThat(observe(0.5, 0).level()).isEqualTo(Level.OK);
        var elevated = observe(0.82, 1);
        assertThat(elevated.level()).isEqualTo(Level.ELEVATED);
        assertThat(elevated.changed()).isTrue();
        assertThat(elevated.reason()).isEqualTo("ratio_above_elevated");
        assertThat(observe(0.97, 2).level()).isEqualTo(Level.CRITICAL);
    }

    @Test
    void aRestoredLevelKeepsItsHysteresisAndHoldDown() {
        machine.restore(Level.ELEVATED);

        var between = observe(0.75, 0);
        assertThat(between.level())
                .as("between clear and elevated a raised level stays")
                .isEqualTo(Level.ELEVATED);
        assertThat(between.changed()).isFalse();
        assertThat(observe(0.5, 1).level()).isEqualTo(Level.ELEVATED);
        var ok = observe(0.5, 6);
        assertThat(ok.level()).isEqualTo(Level.OK);
        assertThat(ok.previous()).isEqualTo(Level.ELEVATED);
    }

    @Test
    void stepsDownOnlyAfterTheLowerLevelHeld() {
        observe(0.97, 0);
        assertThat(observe(0.5, 1).level()).isEqualTo(Level.CRITICAL);
        assertThat(observe(0.5, 5).level()).isEqualTo(Level.CRITICAL);
        var ok = observe(0.5, 6);
        assertThat(ok.level()).isEqualTo(Level.OK);
        assertThat(ok.previous()).isEqualTo(Level.CRITICAL);
        assertThat(ok.reason()).isEqualTo("below_clear_threshold");
    }

    @Test
    void hysteresisKeepsElevatedBetweenClearAndElevated() {
        observe(0.85, 0);
        observe(0.75, 1);
        assertThat(observe(0.75, 60).level()).isEqualTo(Level.ELEVATED);
        observe(0.65, 61);
        assertThat(observe(0.65, 66).level()).isEqualTo(Level.OK);
    }

    @Test
    void aRelapseRestartsTheHold() {
        observe(0.97, 0);
        observe(0.5, 1);
        observe(0.97, 4);
        observe(0.5, 5);
        assertThat(observe(0.5, 9).level()).isEqualTo(Level.CRITICAL);
        assertThat(observe(0.5, 10).level()).isEqualTo(Level.OK);
    }

    @Test
    void refusalIsCriticalAndFailureIsUnknown() {
        var refused = machine.observe(new Observation.Refused("too many clients"), T0);
        assertThat(refused.level()).isEqualTo(Level.CRITICAL);
        assertThat(refused.reason()).isEqualTo("connections_refused");
        var failed = machine.observe(new Observation.Failed("connection refused"), T0.plusSeconds(1));
        assertThat(failed.level()).isEqualTo(Level.UNKNOWN);
        // recovery from UNKNOWN needs no hold: the first real measurement counts
        assertThat(observe(0.1, 2).level()).isEqualTo(Level.OK);
    }

    @Test
    void poolerClientsQueuedTooLongAreCritical() {
        // default bound 2 s: a 1.5 s wait is normal queueing
        assertThat(pooled(0.3, 1_500, 0).level()).isEqualTo(Level.OK);
        var critical = pooled(0.3, 2_500, 1);
        assertThat(critical.level()).isEqualTo(Level.CRITICAL);
        assertThat(critical.reason()).isEqualTo(LevelStateMachine.REASON_POOLER_WAITING);
        // the queue drains: CRITICAL holds for the hold-down, then the ratio decides again
        assertThat(pooled(0.3, 0, 2).level()).isEqualTo(Level.CRITICAL);
        var ok = pooled(0.3, 0, 7);
        assertThat(ok.level()).isEqualTo(Level.OK);
        assertThat(ok.reason()).isEqualTo("below_clear_threshold");
    }

    @Test
    void aCriticalRatioIsReportedAsSuchEvenWhenThePoolerAlsoQueues() {
        assertThat(pooled(0.97, 5_000, 0).reason()).isEqualTo("ratio_above_critical");
    }

    @Test
    void rejectsThresholdsOutOfOrder() {
        assertThatThrownBy(() -> new LevelRules(0.8, 0.95, 0.9, Duration.ZERO, Duration.ZERO))
                .hasMessageContaining("clear (0.9) must be below elevated (0.8)");
        assertThatThrownBy(() -> new LevelRules(0.9, 0.8, 0.5, Duration.ZERO, Duration.ZERO))
                .hasMessageContaining("must not be above critical");
    }

    private LevelStateMachine.Transition pooled(double ratio, long waitMs, int second) {
        return machine.observe(new Observation.Measured(ratio, Duration.ofMillis(waitMs)), T0.plusSeconds(second));
    }

    private LevelStateMachine.Transition observe(double ratio, int second) {
        return machine.observe(new Observation.Measured(ratio), T0.plusSeconds(second));
    }
}
