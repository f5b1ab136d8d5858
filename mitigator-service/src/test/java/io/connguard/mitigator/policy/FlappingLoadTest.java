package io.connguard.mitigator.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.connguard.events.PressureChanged;
import io.connguard.mitigator.policy.Decision.Act;
import io.connguard.mitigator.policy.Decision.Hold;
import io.connguard.mitigator.policy.SimulatedStarforge.Effect;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Fault scenario 6 (issue 12): the load flaps around the threshold for five minutes and the shipped default policy must
 * stay bounded: no more actions than the budgets allow, no kind of action again within its cooldown, and never the same
 * step restored, re-applied and restored again within one cooldown. The pure engine runs with a controlled clock, fed
 * by a model of the detector (its thresholds, hysteresis, hold-down, incident resolution and publishing cadence) that
 * samples the load every second, and ticked every second like the scheduler. The load is a function of time and of
 * what the mitigation changed, so a restore that brings the pressure back shows up as a relapse.
 */
class FlappingLoadTest {

    private static final Logger LOG = Logger.getLogger(FlappingLoadTest.class);
    private static final String TARGET = "flap-db";
    private static final Duration RUN = Duration.ofMinutes(5);

    final MutableClock clock = new MutableClock();
    final Policy policy = PolicyLoader.loadDefault();
    final MitigationEngine engine = new MitigationEngine(policy, clock);
    final SimulatedStarforge starforge = new SimulatedStarforge();
    final List<PlannedAction> applied = new ArrayList<>();
    final List<String> timeline = new ArrayList<>();
    int skipped;

    /** Load as a function of the second and of what the mitigation changed. */
    @FunctionalInterface
    interface Load {
        double ratio(int second, SimulatedStarforge starforge);
    }

    @Test
    void loadHoveringAtTheThresholdIsMitigatedOnceAndRestoredOnlyAsFarAsIsSafe() {
        // 53 % / 58 % flapping every 10 s, plus 5 % per etl-worker replica and 6 % for ingestion: 79 % / 84 % untouched
        run((second, s) ->
                ((second / 10) % 2 == 0 ? 0.53 : 0.58) + s.replicas() * 0.05 + (s.ingestionPaused() ? 0 : 0.06));

        assertBounded();
        // one scale-down, one restore to the count predicted to stay under recovery.max-ratio, never back down again
        assertThat(starforge.replicaHistory()).as(describe()).containsExactly(4, 1, 2);
        assertThat(applied)
                .as(describe())
                .extracting(PlannedAction::step)
                .containsExactly("pause-ingestion", "scale-etl-worker-down");
    }

    @Test
    void loadTheStepsDoNotRelieveEscalatesAndSweepsNoFasterThanTheCooldown() {
        run((second, s) -> (second / 10) % 2 == 0 ? 0.86 : 0.78);

        assertBounded();
        Map<String, Long> perStep =
                applied.stream().collect(Collectors.groupingBy(PlannedAction::step, Collectors.counting()));
        assertThat(perStep)
                .as(describe())
                .containsEntry("pause-ingestion", 1L)
                .containsEntry("scale-etl-worker-down", 1L);
        // the session steps repeat at most once per cooldown (2 min) in the five minutes
        assertThat(perStep.get("cancel-long-queries")).as(describe()).isBetween(1L, 3L);
        assertThat(perStep.get("terminate-idle-in-transaction")).as(describe()).isBetween(1L, 3L);
        assertThat(starforge.replicaHistory()).as(describe()).containsExactly(4, 1);
    }

    @Test
    void loadSwingingAcrossTheClearThresholdNeverOscillatesBetweenRestoreAndReapply() {
        // 40 s at 90 %, 60 s at 60 %: long enough at OK for the incident to resolve and recovery to start, every time
        run((second, s) -> second % 100 < 40 ? 0.90 : 0.60);

        assertBounded();
    }

    private void run(Load load) {
        DetectorModel detector = new DetectorModel(TARGET, 2);
        EpisodeState state = EpisodeState.idle();
        PressureChanged last = null;
        int events = 0;
        for (int second = 0; second < RUN.toSeconds(); second++) {
            double ratio = load.ratio(second, starforge);
            Instant now = clock.instant();
            MitigationEngine.Guard guard =
                    new MitigationEngine.Guard(false, () -> OwnSample.of((int) Math.round(ratio * 100), 100, now, 0.5));
            Optional<PressureChanged> event = detector.observe(ratio, now);
            if (event.isPresent()) {
                if (engine.fresh(event.get())) {
                    last = event.get();
                }
                timeline.add(second + "s " + event.get().level() + " "
                        + event.get().reason() + " " + String.format("%.2f", ratio));
                state = apply(engine.onPressure(state, "event-" + events++, event.get(), guard), second);
            }
            state = apply(engine.onTick(state, TARGET, last, guard), second);
            clock.advance(Duration.ofSeconds(1));
        }
    }

    private EpisodeState apply(Transition t, int second) {
        if (t.decision() instanceof Act act) {
            act.plan().stream().filter(a -> a.operation() == Operation.APPLY).forEach(applied::add);
            act.plan()
                    .forEach(a -> timeline.add(second + "s   " + a.operation() + " " + a.step()
                            + (a.restoreReplicas() == null ? "" : " to " + a.restoreReplicas())));
            return engine.afterEffects(t.next(), starforge.run(act.plan(), clock.instant()));
        }
        if (t.decision() instanceof Hold hold && hold.blocked() != null) {
            skipped++;
            timeline.add(second + "s   SKIPPED " + hold.blocked().step() + ": " + hold.reason());
        }
        return t.next();
    }

    /** The invariants every flapping load must keep. */
    private void assertBounded() {
        LOG.infof(
                "scenario 6: %d steps applied %s, %d changes restored, %d guardrail hits, replicas %s",
                applied.size(),
                applied.stream().collect(Collectors.groupingBy(PlannedAction::step, Collectors.counting())),
                starforge.history().stream()
                        .filter(e -> e.changed() && e.operation() != Operation.APPLY)
                        .count(),
                skipped,
                starforge.replicaHistory());
        Policy.Guardrails g = policy.guardrails();
        assertThat(applied).as(describe()).hasSizeLessThanOrEqualTo(g.maxActionsPerHour());
        applied.stream()
                .collect(Collectors.groupingBy(a -> String.valueOf(a.incidentId()), Collectors.counting()))
                .forEach((incident, n) -> assertThat(n)
                        .as(incident + ": " + describe())
                        .isLessThanOrEqualTo((long) g.maxActionsPerIncident()));
        List<Effect> changes =
                starforge.history().stream().filter(Effect::changed).toList();
        // the same kind of action never runs again within its cooldown
        Map<String, List<Effect>> appliedByKind = changes.stream()
                .filter(e -> e.operation() == Operation.APPLY)
                .collect(Collectors.groupingBy(e -> kindOf(e.step())));
        appliedByKind.forEach((kind, runs) -> {
            for (int i = 1; i < runs.size(); i++) {
                assertThat(Duration.between(runs.get(i - 1).at(), runs.get(i).at()))
                        .as(kind + " again within the cooldown: " + describe())
                        .isGreaterThanOrEqualTo(g.cooldown());
            }
        });
        // no step restored, re-applied and restored again within one cooldown
        changes.stream().collect(Collectors.groupingBy(Effect::step)).forEach((step, effects) -> {
            for (int i = 2; i < effects.size(); i++) {
                Effect first = effects.get(i - 2);
                Effect again = effects.get(i - 1);
                Effect second = effects.get(i);
                if (first.operation() != Operation.APPLY
                        && again.operation() == Operation.APPLY
                        && second.operation() != Operation.APPLY) {
                    assertThat(Duration.between(first.at(), second.at()))
                            .as(step + " restored, re-applied and restored within the cooldown: " + describe())
                            .isGreaterThanOrEqualTo(g.cooldown());
                }
            }
        });
    }

    private String kindOf(String step) {
        return policy.ladder().stream()
                .filter(s -> s.name().equals(step))
                .findFirst()
                .orElseThrow()
                .action()
                .kind();
    }

    private String describe() {
        return "\n" + String.join("\n", timeline) + "\nreplicas " + starforge.replicaHistory() + ", " + skipped
                + " skipped";
    }
}
