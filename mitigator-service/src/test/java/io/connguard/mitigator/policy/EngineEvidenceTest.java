package io.connguard.mitigator.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.connguard.events.Level;
import io.connguard.events.PressureChanged;
import io.connguard.mitigator.policy.Decision.Act;
import io.connguard.mitigator.policy.Decision.Hold;
import io.connguard.mitigator.policy.Decision.Wait;
import io.connguard.mitigator.policy.EpisodeState.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The engine acts only on fresh claims its own sample of the target bears out, and an open episode whose claims stop
 * holds, then restores on the mitigator's own samples (issue: a stale CRITICAL event paused ingestion and scaled
 * workers down on a healthy target, and nothing ever put them back).
 */
class EngineEvidenceTest {

    static final MitigationEngine.Guard FULL = new MitigationEngine.Guard(false, Pressure.FULL);
    static final MitigationEngine.Guard HEALTHY = new MitigationEngine.Guard(false, Pressure.HEALTHY);

    final MutableClock clock = new MutableClock();
    final MitigationEngine engine =
            new MitigationEngine(MitigationEngineTest.policy(MitigationEngineTest.POLICY), clock);
    EpisodeState state = EpisodeState.idle();
    int events;

    @Test
    void aClaimSampledAnHourAgoChangesNothingAndSaysHowOld() {
        Decision d = input(claim(Level.CRITICAL, 96, clock.instant().minusSeconds(3600)), FULL);

        assertThat(d).isInstanceOfSatisfying(Hold.class, h -> {
            assertThat(h.reason()).isEqualTo("stale evidence: sampled 3600 s ago (evidence.max-age 10 s)");
            assertThat(h.silent()).isFalse(); // published as a NOOP action event
            assertThat(h.blocked()).isNull();
        });
        assertThat(state.phase()).isEqualTo(Phase.IDLE);
        assertThat(state.actionsInIncident()).isZero();
        assertThat(state.evidenceAt()).isNull();
    }

    @Test
    void aClaimFromFurtherAheadThanTheMaximumAgeIsAClockFaultNotEvidence() {
        Decision d = input(claim(Level.CRITICAL, 96, clock.instant().plusSeconds(60)), FULL);

        assertThat(((Hold) d).reason()).startsWith("evidence from the future: sampled 60 s ahead");
        assertThat(state.phase()).isEqualTo(Phase.IDLE);
    }

    @Test
    void aClaimWithinTheMaximumAgeIsActedOn() {
        assertThat(input(claim(Level.CRITICAL, 96, clock.instant().minusSeconds(9)), FULL))
                .isInstanceOf(Act.class);
    }

    @Test
    void aTickNeverEscalatesOnAClaimThatWentStale() {
        PressureChanged first = claim(Level.ELEVATED, 80, clock.instant());
        input(first, FULL);
        clock.advance(Duration.ofSeconds(11)); // the pause's window is over, but its claim is 11 s old
        assertThat(engine.onTick(state, "t", first, FULL).decision()).isNotInstanceOf(Act.class);
    }

    @Test
    void aCriticalClaimForAHealthyTargetChangesNothing() {
        Decision d = input(claim(Level.CRITICAL, 96, clock.instant()), HEALTHY);

        assertThat(d).isInstanceOfSatisfying(Hold.class, h -> {
            assertThat(h.blocked().step()).isEqualTo("pause"); // published as SKIPPED for the step
            assertThat(h.reason())
                    .isEqualTo("not confirmed on the target: own sample 20/100 client backends (ratio 0.20),"
                            + " claimed ratio 0.96, confirmation needs 0.86");
        });
        assertThat(state.phase()).isEqualTo(Phase.IDLE);
        assertThat(state.applied()).isEmpty();
        assertThat(state.actionsInIncident()).isZero();
        assertThat(state.lastActionAt()).isEmpty(); // no cooldown started either
    }

    @Test
    void aClaimOfLowPressureAtCriticalIsNotConfirmedByALowSample() {
        MitigationEngine.Guard thirty = guard(() -> OwnSample.of(30, 100, clock.instant(), 1));
        Decision d = input(claim(Level.CRITICAL, 30, clock.instant()), thirty);
        assertThat(((Hold) d).reason()).endsWith("confirmation needs 0.70");
    }

    @Test
    void theConfirmingSampleTravelsWithTheDecision() {
        Act act = (Act) input(claim(Level.CRITICAL, 96, clock.instant()), FULL);

        assertThat(act.confirmation().own().clientBackends()).isEqualTo(100);
        assertThat(act.confirmation().claimed()).isEqualTo(0.96);
        assertThat(act.confirmation().required()).isEqualTo(0.86, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void aServerThatRefusesTheMitigatorConfirmsExhaustion() {
        MitigationEngine.Guard refused = guard(() -> OwnSample.refusedAt(clock.instant(), 3));
        assertThat(input(claim(Level.CRITICAL, 96, clock.instant()), refused)).isInstanceOf(Act.class);
    }

    @Test
    void aTargetThatCannotBeReadConfirmsNothing() {
        Decision d = input(claim(Level.CRITICAL, 96, clock.instant()), guard(() -> null));
        assertThat(((Hold) d).reason()).startsWith("not confirmed on the target: the target could not be read");
    }

    @Test
    void eachEscalationIsConfirmedAgainWithOneReadPerInput() {
        input(claim(Level.ELEVATED, 80, clock.instant()), FULL);
        clock.advance(Duration.ofSeconds(11));
        AtomicInteger reads = new AtomicInteger();
        Decision d = input(claim(Level.ELEVATED, 80, clock.instant()), guard(() -> {
            reads.incrementAndGet();
            return OwnSample.of(20, 100, clock.instant(), 1);
        }));

        assertThat(d)
                .isInstanceOfSatisfying(
                        Hold.class, h -> assertThat(h.blocked().step()).isEqualTo("scale"));
        assertThat(state.step()).isZero(); // still at the pause: the ladder did not move
        assertThat(reads).hasValue(1);
    }

    @Test
    void aDryRunStepActsOnAFreshClaimWithoutReadingTheTarget() {
        MitigationEngine dry = new MitigationEngine(
                MitigationEngineTest.policy("mode: dry-run\n" + MitigationEngineTest.POLICY), clock);
        AtomicInteger reads = new AtomicInteger();
        MitigationEngine.Guard counting = guard(() -> {
            reads.incrementAndGet();
            return null;
        });
        Transition t = dry.onPressure(state, "e1", claim(Level.CRITICAL, 96, clock.instant()), counting);

        assertThat(t.decision())
                .isInstanceOfSatisfying(
                        Act.class, a -> assertThat(a.confirmation()).isNull());
        assertThat(reads).hasValue(0);
    }

    @Test
    void anEpisodeWhoseClaimsStopHoldsThenRestoresOnTheMitigatorsOwnSamples() {
        input(claim(Level.ELEVATED, 80, clock.instant()), FULL);
        assertThat(state.applied()).containsExactly(0);

        clock.advance(Duration.ofSeconds(44));
        assertThat(tick(HEALTHY)).isInstanceOf(Hold.class); // the lease (45 s) still runs: nothing due
        assertThat(state.evidenceLostAt()).isNull();

        clock.advance(Duration.ofSeconds(2));
        Decision lapse = tick(HEALTHY);
        assertThat(lapse).isInstanceOfSatisfying(Hold.class, h -> {
            assertThat(h.silent()).isFalse(); // the first tick of a lapse is an event
            assertThat(h.reason())
                    .startsWith("no fresh evidence since 2026-03-14T09:00:00Z (evidence.timeout 45 s): no new step;"
                            + " own sample 20/100 client backends (ratio 0.20) is under 0.80: restoring in stages");
        });
        assertThat(state.evidenceLostAt()).isEqualTo(clock.instant());

        clock.advance(Duration.ofSeconds(29));
        assertThat(tick(HEALTHY)).isInstanceOf(Wait.class); // healthy for 29 s of the 30 s ok-soak
        clock.advance(Duration.ofSeconds(2));
        assertThat(tick(HEALTHY))
                .isInstanceOfSatisfying(
                        Act.class, a -> assertThat(a.plan().get(0).actionName()).isEqualTo("resume-ingestion"));
        clock.advance(Duration.ofSeconds(1));
        assertThat(tick(HEALTHY)).isInstanceOf(Wait.class); // each stage soaks on samples taken after it ran
        clock.advance(Duration.ofSeconds(20));
        assertThat(((Hold) tick(HEALTHY)).reason()).startsWith("recovery complete");
        assertThat(state.phase()).isEqualTo(Phase.IDLE);
    }

    @Test
    void withoutClaimsAndWithAnUnhealthyTargetNothingRunsAndNothingIsRestored() {
        input(claim(Level.ELEVATED, 80, clock.instant()), FULL);
        clock.advance(Duration.ofSeconds(46));
        assertThat(((Hold) tick(FULL)).reason()).contains("holding, own sample 100/100 client backends");
        for (int i = 0; i < 300; i++) {
            clock.advance(Duration.ofSeconds(1));
            assertThat(tick(FULL))
                    .isInstanceOfSatisfying(
                            Hold.class, h -> assertThat(h.silent()).isTrue());
        }
        assertThat(state.phase()).isEqualTo(Phase.MITIGATING);
        assertThat(state.applied()).containsExactly(0);
    }

    @Test
    void anUnhealthySampleRestartsTheSoak() {
        input(claim(Level.ELEVATED, 80, clock.instant()), FULL);
        clock.advance(Duration.ofSeconds(46));
        tick(HEALTHY);
        clock.advance(Duration.ofSeconds(20));
        tick(FULL); // a spike: healthy no more
        clock.advance(Duration.ofSeconds(1));
        tick(HEALTHY);
        clock.advance(Duration.ofSeconds(29));
        assertThat(tick(HEALTHY)).isInstanceOf(Wait.class);
        clock.advance(Duration.ofSeconds(2));
        assertThat(tick(HEALTHY)).isInstanceOf(Act.class);
    }

    @Test
    void aFreshClaimEndsTheLapse() {
        input(claim(Level.ELEVATED, 80, clock.instant()), FULL);
        clock.advance(Duration.ofSeconds(46));
        tick(FULL);
        assertThat(state.evidenceLostAt()).isNotNull();

        assertThat(input(claim(Level.ELEVATED, 80, clock.instant()), FULL)).isInstanceOf(Act.class); // escalates
        assertThat(state.evidenceLostAt()).isNull();
        assertThat(state.evidenceAt()).isEqualTo(clock.instant());
    }

    @Test
    void anUnconfirmedRelapseDoesNotStopTheRestore() {
        input(claim(Level.ELEVATED, 80, clock.instant()), FULL);
        input(Pressure.sampledAt(Pressure.resolved("t", "inc-1"), clock.instant()), FULL);
        assertThat(state.phase()).isEqualTo(Phase.RECOVERING);

        Decision d = input(claim(Level.CRITICAL, 96, clock.instant()), HEALTHY);
        assertThat(((Hold) d).reason()).startsWith("relapse not confirmed on the target");
        assertThat(state.phase()).isEqualTo(Phase.RECOVERING);
    }

    @Test
    void aHeartbeatOfAHealthyTargetDecidesAndStoresNothing() {
        EpisodeState before = state;
        Transition t = engine.onPressure(
                state,
                "hb",
                Pressure.sampledAt(Pressure.sample("t", null, Level.OK, 20, 0, "heartbeat"), clock.instant()),
                FULL);
        assertThat(t.next()).isSameAs(before);
        assertThat(t.decision())
                .isInstanceOfSatisfying(Hold.class, h -> assertThat(h.silent()).isTrue());
    }

    @Test
    void anOperatorRestoreLiftsFailClosedAndRestoresWithNewActionIds() {
        Act paused = pauseThatFailed();
        assertThat(state.failedClosed()).contains("boom");

        Transition restore = engine.onRestoreRequested(state, "t", FULL);
        assertThat(restore.decision()).isInstanceOfSatisfying(Act.class, a -> {
            assertThat(a.plan().get(0).actionName()).isEqualTo("resume-ingestion");
            assertThat(a.plan().get(0).actionId())
                    .isNotEqualTo(paused.plan().get(0).actionId());
        });
        assertThat(restore.next().failedClosed()).isNull();
        assertThat(restore.next().phase()).isEqualTo(Phase.RECOVERING);
    }

    @Test
    void anOperatorRestoreWithNothingOpenOrTheKillSwitchEngagedDoesNothing() {
        assertThat(((Hold) engine.onRestoreRequested(state, "t", FULL).decision()).reason())
                .startsWith("nothing to restore");
        input(claim(Level.ELEVATED, 80, clock.instant()), FULL);
        var off = new MitigationEngine.Guard(true, Pressure.FULL);
        assertThat(((Hold) engine.onRestoreRequested(state, "t", off).decision()).reason())
                .startsWith("kill switch engaged");
    }

    @Test
    void anOperatorResumeLiftsFailClosedAndTheLadderGoesOn() {
        pauseThatFailed();
        Transition resume = engine.onResumeRequested(state);
        assertThat(((Hold) resume.decision()).reason()).startsWith("fail closed lifted (was: step pause failed");
        state = resume.next();

        clock.advance(Duration.ofSeconds(11));
        assertThat(input(claim(Level.ELEVATED, 80, clock.instant()), FULL))
                .isInstanceOfSatisfying(
                        Act.class, a -> assertThat(a.plan().get(0).step()).isEqualTo("scale"));
        assertThat(((Hold) engine.onResumeRequested(state).decision()).reason()).startsWith("nothing to resume");
    }

    /** The pause ran on a confirmed claim and failed: the target is failed closed. */
    private Act pauseThatFailed() {
        Act paused = (Act) input(claim(Level.ELEVATED, 80, clock.instant()), FULL);
        state = engine.afterEffects(
                state,
                List.of(new EffectReport(
                        paused.plan().get(0).actionId(),
                        "pause",
                        Operation.APPLY,
                        true,
                        true,
                        "boom",
                        0,
                        null,
                        null,
                        null)));
        return paused;
    }

    private PressureChanged claim(Level level, int connections, Instant sampledAt) {
        return Pressure.sampledAt(Pressure.sample("t", "inc-1", level, connections), sampledAt);
    }

    private Decision input(PressureChanged p, MitigationEngine.Guard guard) {
        Transition t = engine.onPressure(state, "e" + events++, p, guard);
        state = t.next();
        return t.decision();
    }

    private Decision tick(MitigationEngine.Guard guard) {
        Transition t = engine.onTick(state, "t", null, guard);
        state = t.next();
        return t.decision();
    }

    private static MitigationEngine.Guard guard(TargetReader reader) {
        return new MitigationEngine.Guard(false, reader);
    }
}
