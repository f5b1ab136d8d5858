package io.connguard.mitigator.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connguard.events.Level;
import io.connguard.events.Mode;
import io.connguard.events.PressureChanged;
import io.connguard.mitigator.policy.Decision.Act;
import io.connguard.mitigator.policy.Decision.Hold;
import io.connguard.mitigator.policy.Decision.Wait;
import io.connguard.mitigator.policy.EpisodeState.Phase;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MitigationEngineTest {

    // the first step of both test ladders
    static final String PAUSE_STEP = """
            ladder:
              - name: pause
                action:
                  kind: pause-ingestion
                  flag: {config-map: {namespace: ns, name: flags, key: ingest, paused-value: "off", resumed-value: "on"}}
                verify: {window: 10s, improvement: 0.1}
            """;

    static final String POLICY = PAUSE_STEP + """
              - name: scale
                action: {kind: scale-workload, workload: {kind: Deployment, namespace: ns, name: etl}, replicas: 0}
                verify: {window: 10s, improvement: 0.1}
              - name: cancel
                when: {min-level: CRITICAL}
                mode: dry-run
                action: {kind: cancel-queries, min-duration: 1s}
            recovery: {ok-soak: 30s, soak: 20s}
            guardrails: {cooldown: 1m, max-actions-per-incident: 3}
            """;

    // the mitigator's own sample bears out every claim: a full server
    static final MitigationEngine.Guard OPEN = new MitigationEngine.Guard(false, Pressure.FULL);

    final MutableClock clock = new MutableClock();
    final MitigationEngine engine = new MitigationEngine(policy(POLICY), clock);
    EpisodeState state = EpisodeState.idle();
    PressureChanged last;
    int events;

    @Test
    void escalatesOnlyWhenAStepDidNotHelpWithinItsWindow() {
        Act first = (Act) pressure(Level.ELEVATED, 80);
        assertThat(first.plan()).singleElement().satisfies(a -> {
            assertThat(a.step()).isEqualTo("pause");
            assertThat(a.operation()).isEqualTo(Operation.APPLY);
            assertThat(a.mode()).isEqualTo(Mode.ENFORCE);
        });

        clock.advance(Duration.ofSeconds(5));
        assertThat(pressure(Level.ELEVATED, 85)).isInstanceOf(Wait.class);

        clock.advance(Duration.ofSeconds(6));
        Act second = (Act) pressure(Level.ELEVATED, 78); // improved by only 0.02 < 0.1
        assertThat(second.plan().get(0).step()).isEqualTo("scale");

        clock.advance(Duration.ofSeconds(11));
        Decision helped = pressure(Level.ELEVATED, 60);
        assertThat(helped).isInstanceOf(Hold.class);
        assertThat(((Hold) helped).reason()).contains("scale helped");

        clock.advance(Duration.ofSeconds(11));
        Act third = (Act) pressure(Level.CRITICAL, 59);
        assertThat(third.plan().get(0).step()).isEqualTo("cancel");
        assertThat(third.plan().get(0).mode()).isEqualTo(Mode.DRY_RUN);
    }

    @Test
    void aDuplicateEventIsRecognisedAndDecidesNothing() {
        PressureChanged p = sample("t", "inc-1", Level.ELEVATED, 80);
        Transition first = engine.onPressure(state, "event-1", p, OPEN);
        Transition again = engine.onPressure(first.next(), "event-1", p, OPEN);
        assertThat(first.decision()).isInstanceOf(Act.class);
        assertThat(again.decision())
                .isInstanceOfSatisfying(Hold.class, h -> assertThat(h.silent()).isTrue());
        assertThat(again.next()).isEqualTo(first.next());
    }

    @Test
    void theSameActionHasTheSameIdWhoeverDecidesIt() {
        PressureChanged p = sample("t", "inc-1", Level.ELEVATED, 80);
        Act a = (Act) engine.onPressure(state, "event-1", p, OPEN).decision();
        Act b = (Act) new MitigationEngine(policy(POLICY), clock)
                .onPressure(EpisodeState.idle(), "event-2", p, OPEN)
                .decision();
        assertThat(a.plan().get(0).actionId()).isEqualTo(b.plan().get(0).actionId());
    }

    @Test
    void theKillSwitchBlocksTheStepAndSaysSo() {
        Transition t = engine.onPressure(
                state, "e1", sample("t", "inc-1", Level.ELEVATED, 80), new MitigationEngine.Guard(true, Pressure.FULL));
        assertThat(t.decision()).isInstanceOfSatisfying(Hold.class, h -> {
            assertThat(h.blocked().step()).isEqualTo("pause");
            assertThat(h.reason()).contains("kill switch");
        });
        assertThat(t.next().phase()).isEqualTo(Phase.IDLE);
    }

    @Test
    void theIncidentBudgetStopsFurtherStepsAndTheHitIsReported() {
        MitigationEngine strict = new MitigationEngine(
                policy(POLICY.replace("max-actions-per-incident: 3", "max-actions-per-incident: 1")), clock);
        Transition first = strict.onPressure(state, "e1", sample("t", "inc-1", Level.ELEVATED, 80), OPEN);
        clock.advance(Duration.ofSeconds(11));
        Transition second = strict.onPressure(first.next(), "e2", sample("t", "inc-1", Level.ELEVATED, 80), OPEN);
        assertThat(second.decision()).isInstanceOfSatisfying(Hold.class, h -> {
            assertThat(h.blocked().step()).isEqualTo("scale");
            assertThat(h.reason()).isEqualTo("budget: max-actions-per-incident 1 reached");
        });
        assertThat(second.next().step()).isZero();
    }

    @Test
    void aFailedEffectClosesTheTarget() {
        Act act = (Act) pressure(Level.ELEVATED, 80);
        state = engine.afterEffects(
                state,
                List.of(new EffectReport(
                        act.plan().get(0).actionId(),
                        "pause",
                        Operation.APPLY,
                        false,
                        true,
                        "ConfigMap ns/flags not found",
                        0,
                        null,
                        null,
                        null)));
        clock.advance(Duration.ofSeconds(11));
        Decision next = pressure(Level.ELEVATED, 80);
        assertThat(next).isInstanceOfSatisfying(Hold.class, h -> {
            assertThat(h.blocked().step()).isEqualTo("scale");
            assertThat(h.reason()).startsWith("fail closed: step pause failed");
        });
    }

    @Test
    void recoveryRestoresInStagesAfterTheIncidentResolves() {
        pressure(Level.ELEVATED, 80);
        clock.advance(Duration.ofSeconds(11));
        pressure(Level.ELEVATED, 80);
        assertThat(state.applied()).containsExactly(0, 1);

        Act toOne = (Act) input(resolved("t", "inc-1"));
        assertThat(toOne.plan()).singleElement().satisfies(a -> {
            assertThat(a.operation()).isEqualTo(Operation.PARTIAL_RESTORE);
            assertThat(a.actionName()).isEqualTo("restore-workload");
        });
        assertThat(tick()).isInstanceOf(Wait.class);
        clock.advance(Duration.ofSeconds(21));
        Act workers = (Act) tick();
        assertThat(workers.plan().get(0).operation()).isEqualTo(Operation.RESTORE);
        assertThat(workers.plan().get(0).step()).isEqualTo("scale");
        clock.advance(Duration.ofSeconds(21));
        Act ingestion = (Act) tick();
        assertThat(ingestion.plan().get(0).actionName()).isEqualTo("resume-ingestion");
        heartbeat();
        clock.advance(Duration.ofSeconds(21));
        assertThat(tick())
                .isInstanceOfSatisfying(Hold.class, h -> assertThat(h.reason()).contains("complete"));
        assertThat(state.phase()).isEqualTo(Phase.IDLE);
        assertThat(state.applied()).isEmpty();
    }

    @Test
    void recoveryAlsoStartsWhenOkHoldsForTheSoakWithoutAResolvedEvent() {
        pressure(Level.ELEVATED, 80);
        assertThat(pressure(Level.OK, 30)).isInstanceOf(Wait.class);
        clock.advance(Duration.ofSeconds(29));
        assertThat(tick()).isInstanceOf(Wait.class);
        clock.advance(Duration.ofSeconds(2));
        assertThat(tick())
                .isInstanceOfSatisfying(
                        Act.class, a -> assertThat(a.plan().get(0).actionName()).isEqualTo("resume-ingestion"));
    }

    @Test
    void aRelapseWhileRestoringStopsRestoringAndDoesNotRepeatWhatIsStillInEffect() {
        pressure(Level.ELEVATED, 80);
        clock.advance(Duration.ofSeconds(11));
        pressure(Level.ELEVATED, 80);
        input(resolved("t", "inc-1"));
        clock.advance(Duration.ofSeconds(21));
        tick(); // workers back to their original count: the scale step is no longer in effect
        clock.advance(Duration.ofMinutes(2)); // past the cooldown
        Act again = (Act) pressure(Level.ELEVATED, 85);
        assertThat(again.plan().get(0).step()).isEqualTo("scale");
        assertThat(state.phase()).isEqualTo(Phase.MITIGATING);
        assertThat(state.applied()).containsExactly(0, 1);
    }

    @Test
    void theCooldownHoldsARepeatOfTheSameActionKind() {
        pressure(Level.ELEVATED, 80);
        clock.advance(Duration.ofSeconds(11));
        pressure(Level.ELEVATED, 80);
        input(resolved("t", "inc-1"));
        clock.advance(Duration.ofSeconds(21));
        tick();
        Decision tooSoon = pressure(Level.ELEVATED, 85);
        assertThat(tooSoon)
                .isInstanceOfSatisfying(Hold.class, h -> assertThat(h.reason()).startsWith("cooldown"));
    }

    @Test
    void decisionsRejectInvalidCombinations() {
        assertThatThrownBy(() -> new Act(List.of())).isInstanceOf(IllegalArgumentException.class);
        PlannedAction action = ((Act) pressure(Level.ELEVATED, 80)).plan().get(0);
        assertThatThrownBy(() -> new Hold("x", action, true)).isInstanceOf(IllegalArgumentException.class);
        var cancel = policy(POLICY).ladder().get(2).action();
        assertThatThrownBy(() -> new PlannedAction(
                        "id",
                        "t",
                        null,
                        null,
                        "cancel",
                        cancel,
                        Operation.RESTORE,
                        Mode.ENFORCE,
                        0,
                        0.5,
                        policy(POLICY).protection()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void eventsWithoutAnIncidentIdAreOneIncidentAndCannotSkipTheVerificationWindow() {
        assertThat(input(sample("t", null, Level.ELEVATED, 80))).isInstanceOf(Act.class);
        clock.advance(Duration.ofSeconds(1));
        // inside the pause step's 10 s window: waiting, not the next step
        assertThat(input(sample("t", null, Level.ELEVATED, 80))).isInstanceOf(Wait.class);
        assertThat(state.actionsInIncident()).isEqualTo(1);
    }

    @Test
    void aRelapseOfTheSameIncidentAfterACompleteRecoveryIsANewActionNotAReplayOfTheFirst() {
        Act first = (Act) pressure(Level.ELEVATED, 80);
        pressure(Level.OK, 40);
        clock.advance(Duration.ofSeconds(31));
        assertThat(((Act) tick()).plan().get(0).operation()).isEqualTo(Operation.RESTORE);
        heartbeat();
        clock.advance(Duration.ofSeconds(21));
        assertThat(((Hold) tick()).reason()).startsWith("recovery complete");

        // the detector keeps the incident open (OK did not hold long enough to resolve it) and pressure returns
        clock.advance(Duration.ofSeconds(10)); // past the pause's cooldown
        Act again = (Act) pressure(Level.ELEVATED, 80);
        assertThat(again.plan().get(0).step()).isEqualTo("pause");
        assertThat(again.plan().get(0).actionId())
                .isNotEqualTo(first.plan().get(0).actionId());
    }

    @Test
    void restoringStopsAtTheHighestWorkerCountThatKeepsTheRatioUnderTheCeiling() {
        MitigationEngine capped = new MitigationEngine(
                policy(POLICY.replace(
                        "recovery: {ok-soak: 30s, soak: 20s}",
                        "recovery: {ok-soak: 30s, soak: 20s," + " max-ratio: 0.70}")),
                clock);
        state = capped.onPressure(state, "e1", sample("t", "inc-1", Level.ELEVATED, 80), OPEN)
                .next();
        clock.advance(Duration.ofSeconds(11));
        Transition scale = capped.onPressure(state, "e2", sample("t", "inc-1", Level.CRITICAL, 90), OPEN);
        PlannedAction down = ((Act) scale.decision()).plan().get(0);
        // 6 workers scaled to 0 took the connections from 90 to 30: 10 per worker, 30 from everything else
        state = capped.afterEffects(
                scale.next(),
                List.of(new EffectReport(down.actionId(), "scale", Operation.APPLY, true, false, null, 0, 6, 0, null)));

        Transition toOne = capped.onPressure(state, "e3", resolved("t", "inc-1", 30), OPEN);
        assertThat(((Act) toOne.decision()).plan().get(0).restoreReplicas()).isNull(); // one worker first
        clock.advance(Duration.ofSeconds(21));
        Transition workers = capped.onTick(toOne.next(), "t", null, OPEN);
        assertThat(((Act) workers.decision()).plan()).singleElement().satisfies(a -> {
            assertThat(a.operation()).isEqualTo(Operation.PARTIAL_RESTORE);
            assertThat(a.restoreReplicas()).isEqualTo(4); // (30 + 4 * 10) / 100 = 0.70; 5 would be 0.80
            assertThat(a.reason())
                    .isEqualTo("restored etl to 4 of 6: 5 would reach ratio 0.80 (ceiling 0.70, 10.0 connections per"
                            + " replica)");
        });
        clock.advance(Duration.ofSeconds(21));
        Transition ingestion = capped.onTick(workers.next(), "t", null, OPEN);
        assertThat(((Act) ingestion.decision()).plan().get(0).actionName()).isEqualTo("resume-ingestion");
        EpisodeState heard =
                capped.onPressure(ingestion.next(), "e4", heartbeat("t"), OPEN).next();
        clock.advance(Duration.ofSeconds(21));
        Transition done = capped.onTick(heard, "t", null, OPEN);
        assertThat(((Hold) done.decision()).reason())
                .startsWith("recovery complete: Deployment ns/etl left below its original count");
        assertThat(done.next().phase()).isEqualTo(Phase.IDLE);
        assertThat(done.next().scaleDown()).isNull();
    }

    @Test
    void workersComeBackToTheirOriginalCountWhenThatIsPredictedSafe() {
        pressure(Level.ELEVATED, 60);
        clock.advance(Duration.ofSeconds(11));
        PlannedAction down = ((Act) pressure(Level.ELEVATED, 65)).plan().get(0);
        state = engine.afterEffects(
                state,
                List.of(new EffectReport(down.actionId(), "scale", Operation.APPLY, true, false, null, 0, 3, 0, null)));
        input(resolved("t", "inc-1", 35));
        clock.advance(Duration.ofSeconds(21));
        // 10 connections per worker: all 3 back is a ratio of 0.65, under the default ceiling 0.70
        assertThat(((Act) tick()).plan()).singleElement().satisfies(a -> {
            assertThat(a.operation()).isEqualTo(Operation.RESTORE);
            assertThat(a.reason()).isEqualTo("restored etl to its original 3: predicted ratio 0.65 (ceiling 0.70)");
        });
    }

    @Test
    void theDeclaredPoolSizeBoundsConnectionsPerWorkerWhenTheServerUndercounted() {
        pressure(Level.ELEVATED, 50);
        clock.advance(Duration.ofSeconds(11));
        PlannedAction down =
                ((Act) pressure(Level.CRITICAL, 55)).plan().get(0); // saturated: 55 of the 80 the workers want
        state = engine.afterEffects(
                state,
                List.of(new EffectReport(down.actionId(), "scale", Operation.APPLY, true, false, null, 0, 6, 0, 10)));
        input(resolved("t", "inc-1", 20));
        clock.advance(Duration.ofSeconds(21));
        // learned (55 - 20) / 6 = 5.8 per worker; the pool of 10 wins: (20 + 5 * 10) / 100 = 0.70
        assertThat(((Act) tick()).plan().get(0).restoreReplicas()).isEqualTo(5);
    }

    @Test
    void aTickEscalatesOnceTheWindowPassedWithoutWaitingForTheNextEvent() {
        pressure(Level.ELEVATED, 80);
        clock.advance(Duration.ofSeconds(5));
        assertThat(tick())
                .isInstanceOfSatisfying(Hold.class, h -> assertThat(h.silent()).isTrue());
        assertThat(pressure(Level.ELEVATED, 80)).isInstanceOf(Wait.class); // the detector's periodic update
        clock.advance(Duration.ofSeconds(6));
        assertThat(tick())
                .isInstanceOfSatisfying(
                        Act.class, a -> assertThat(a.plan().get(0).step()).isEqualTo("scale"));
        // with the ladder exhausted a tick holds silently; the next pressure event publishes the hold
        clock.advance(Duration.ofSeconds(11));
        assertThat(tick())
                .isInstanceOfSatisfying(Hold.class, h -> assertThat(h.silent()).isTrue());
    }

    @Test
    void aTickDoesNotJudgeAStepOnASampleTakenBeforeItRan() {
        Instant onset = clock.instant();
        PressureChanged beforePause = Pressure.sampledAt(sample("t", "inc-1", Level.CRITICAL, 100), onset);
        clock.advance(Duration.ofMillis(500));
        Transition pause = engine.onPressure(state, "e1", beforePause, OPEN);
        clock.advance(Duration.ofSeconds(11)); // the window has passed, but no sample since the pause
        assertThat(engine.onTick(pause.next(), "t", beforePause, OPEN).decision())
                .isInstanceOfSatisfying(Hold.class, h -> assertThat(h.silent()).isTrue());

        // the next sample judges it: the pause did not help, so the ladder goes on
        PressureChanged afterPause = Pressure.sampledAt(sample("t", "inc-1", Level.CRITICAL, 100), clock.instant());
        assertThat(engine.onTick(pause.next(), "t", afterPause, OPEN).decision())
                .isInstanceOfSatisfying(
                        Act.class, a -> assertThat(a.plan().get(0).step()).isEqualTo("scale"));
    }

    @Test
    void aStepWithAndNextRunsTheNextStepInTheSameDecisionUnderOneWindow() {
        MitigationEngine together = new MitigationEngine(
                policy(POLICY.replaceFirst("name: pause\n", "name: pause\n    and-next: true\n")), clock);
        Transition t = together.onPressure(state, "e1", sample("t", "inc-1", Level.ELEVATED, 95), OPEN);
        assertThat(((Act) t.decision()).plan()).extracting(PlannedAction::step).containsExactly("pause", "scale");
        assertThat(t.next().step()).isEqualTo(1);
        assertThat(t.next().applied()).containsExactly(0, 1);
        assertThat(t.next().actionsInIncident()).isEqualTo(2);
        clock.advance(Duration.ofSeconds(5));
        assertThat(together.onPressure(t.next(), "e2", sample("t", "inc-1", Level.ELEVATED, 95), OPEN)
                        .decision())
                .isInstanceOf(Wait.class);
    }

    static final String SESSION_LADDER = PAUSE_STEP + """
              - name: cancel
                action: {kind: cancel-queries, min-duration: 30s}
                verify: {window: 10s, improvement: 0.1}
              - name: terminate
                action: {kind: terminate-idle-in-transaction, older-than: 60s}
                verify: {window: 10s, improvement: 0.1}
            guardrails: {cooldown: 1m}
            """;

    @Test
    void whileConnectionsDoNotRecoverTheSessionStepsRunAgainAsNewActions() {
        MitigationEngine sweeping = new MitigationEngine(policy(SESSION_LADDER), clock);
        Transition pause = sweeping.onPressure(state, "e1", sample("t", "inc-1", Level.ELEVATED, 90), OPEN);
        clock.advance(Duration.ofSeconds(11));
        Transition cancel = sweeping.onPressure(pause.next(), "e2", sample("t", "inc-1", Level.ELEVATED, 90), OPEN);
        PlannedAction cancelled = ((Act) cancel.decision()).plan().get(0);
        assertThat(cancelled.step()).isEqualTo("cancel");
        state = sweeping.afterEffects(cancel.next(), List.of(changed(cancelled, true)));
        clock.advance(Duration.ofSeconds(11));
        Transition terminate = sweeping.onPressure(state, "e3", sample("t", "inc-1", Level.ELEVATED, 90), OPEN);
        PlannedAction tooYoung = ((Act) terminate.decision()).plan().get(0);
        assertThat(tooYoung.step()).isEqualTo("terminate");
        // every idle transaction was younger than 60 s: nothing was signalled, so no cooldown started
        state = sweeping.afterEffects(terminate.next(), List.of(changed(tooYoung, false)));
        assertThat(state.lastActionAt()).doesNotContainKey(ActionSpec.TERMINATE_IDLE);

        clock.advance(Duration.ofSeconds(11));
        Transition again = sweeping.onTick(state, "t", sample("t", "inc-1", Level.ELEVATED, 90), OPEN);
        // cancel ran 22 s ago and cools down for a minute; terminate changed nothing, so it runs again, as a new action
        PlannedAction repeated = ((Act) again.decision()).plan().get(0);
        assertThat(repeated.step()).isEqualTo("terminate");
        assertThat(repeated.actionId()).isNotEqualTo(tooYoung.actionId());
        state = sweeping.afterEffects(again.next(), List.of(changed(repeated, true)));

        clock.advance(Duration.ofSeconds(11));
        Transition cooling = sweeping.onPressure(state, "e4", sample("t", "inc-1", Level.ELEVATED, 90), OPEN);
        assertThat(cooling.decision()).isInstanceOfSatisfying(Wait.class, w -> {
            assertThat(w.until()).isEqualTo(cancel.next().since().plus(Duration.ofMinutes(1)));
            assertThat(w.reason())
                    .isEqualTo("ladder exhausted after step terminate; repeating step cancel once its cooldown ends");
        });
        clock.advance(Duration.ofSeconds(30));
        Transition cancelAgain = sweeping.onTick(cooling.next(), "t", sample("t", "inc-1", Level.ELEVATED, 90), OPEN);
        PlannedAction secondCancel = ((Act) cancelAgain.decision()).plan().get(0);
        assertThat(secondCancel.step()).isEqualTo("cancel");
        assertThat(secondCancel.actionId()).isNotIn(cancelled.actionId(), repeated.actionId());
        assertThat(cancelAgain.next().applied()).containsExactly(0); // the pause stays in effect, never repeated
    }

    @Test
    void aSweepBlockedByTheIncidentBudgetSaysSoAndCountsNothing() {
        MitigationEngine sweeping = new MitigationEngine(
                policy(SESSION_LADDER.replace("{cooldown: 1m}", "{cooldown: 1m, max-actions-per-incident: 3}")), clock);
        for (int i = 0; i < 3; i++) {
            Transition t = sweeping.onPressure(state, "e" + i, sample("t", "inc-1", Level.ELEVATED, 90), OPEN);
            state = t.decision() instanceof Act act
                    ? sweeping.afterEffects(t.next(), List.of(changed(act.plan().get(0), false)))
                    : t.next();
            clock.advance(Duration.ofSeconds(11));
        }
        Transition blocked = sweeping.onPressure(state, "e9", sample("t", "inc-1", Level.ELEVATED, 90), OPEN);
        assertThat(blocked.decision()).isInstanceOfSatisfying(Hold.class, h -> {
            assertThat(h.blocked().step()).isEqualTo("cancel");
            assertThat(h.reason()).startsWith("budget: max-actions-per-incident 3");
        });
        assertThat(blocked.next().sweep()).isEqualTo(state.sweep());
    }

    private static EffectReport changed(PlannedAction action, boolean changed) {
        return new EffectReport(
                action.actionId(),
                action.step(),
                Operation.APPLY,
                changed,
                false,
                null,
                changed ? 2 : 0,
                null,
                null,
                null);
    }

    private Decision pressure(Level level, int connections) {
        return input(sample("t", "inc-1", level, connections));
    }

    private Decision input(PressureChanged p) {
        last = p;
        Transition t = engine.onPressure(state, "e" + events++, p, OPEN);
        state = t.next();
        return t.decision();
    }

    private Decision tick() {
        Transition t = engine.onTick(state, "t", last, OPEN);
        state = t.next();
        return t.decision();
    }

    /** The detector's heartbeat of a healthy target, sampled now: it renews the evidence lease. */
    private PressureChanged heartbeat(String target) {
        return sample(target, null, Level.OK, 30, 0, "heartbeat");
    }

    private Decision heartbeat() {
        return input(heartbeat("t"));
    }

    /** A claim sampled now, by the test's clock. */
    private PressureChanged sample(String target, String incident, Level level, int connections) {
        return Pressure.sampledAt(Pressure.sample(target, incident, level, connections), clock.instant());
    }

    private PressureChanged sample(
            String target, String incident, Level level, int connections, int idleInTransaction, String reason) {
        return Pressure.sampledAt(
                Pressure.sample(target, incident, level, connections, idleInTransaction, reason), clock.instant());
    }

    private PressureChanged resolved(String target, String incident) {
        return Pressure.sampledAt(Pressure.resolved(target, incident), clock.instant());
    }

    private PressureChanged resolved(String target, String incident, int connections) {
        return Pressure.sampledAt(Pressure.resolved(target, incident, connections), clock.instant());
    }

    static Policy policy(String yaml) {
        return PolicyLoader.parse("test.yaml", new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
    }
}
