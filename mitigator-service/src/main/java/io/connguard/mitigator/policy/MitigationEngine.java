package io.connguard.mitigator.policy;

import io.connguard.events.Level;
import io.connguard.events.Mode;
import io.connguard.events.PressureChanged;
import io.connguard.mitigator.policy.Decision.Act;
import io.connguard.mitigator.policy.Decision.Hold;
import io.connguard.mitigator.policy.Decision.Wait;
import io.connguard.mitigator.policy.EpisodeState.Phase;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The escalation ladder and the staged recovery as a pure function of (state, input, guard, time). Holds no state
 * of its own: the caller commits {@link Transition#next()} before running the decision's effects, so two
 * replicas racing on one target see one winner, and a restarted mitigator continues from the committed state.
 */
public final class MitigationEngine {

    private static final int REMEMBERED_EVENT_IDS = 64;

    // recovery stages: 0 workers to one, 1 workers to original, 2 pools restored, 3 ingestion resumed
    private static final int STAGE_RESTORE_WORKERS = 1;

    private final Policy policy;
    private final Policy.Evidence evidence;
    private final Clock clock;

    public MitigationEngine(Policy policy, Clock clock) {
        this.policy = policy;
        this.evidence = policy.evidence();
        this.clock = clock;
    }

    public Policy policy() {
        return policy;
    }

    /** A pressure event for the state's target. */
    public Transition onPressure(EpisodeState state, String eventId, PressureChanged pressure, Guard guard) {
        if (state.phase() == Phase.IDLE && pressure.level() == Level.OK) {
            // the detector's state event and heartbeat of a healthy target, every 30 s for every target: nothing to
            // decide, nothing to store, not worth an action event
            return new Transition(state, Hold.silently("level OK, no episode open"));
        }
        if (state.recentEventIds().contains(eventId)) {
            return new Transition(state, Hold.silently("event " + eventId + " was already handled"));
        }
        EpisodeState s = remember(state, eventId);
        Instant now = clock.instant();
        String stale = staleness(pressure, now);
        if (stale != null) {
            // a claim about the target as it was (a replayed topic, a consumer back from downtime, a lost offset) or
            // from a clock far off: it starts, escalates and restores nothing, and does not renew the evidence lease
            return new Transition(s, Hold.because(stale));
        }
        s = s.withEvidenceAt(now);
        guard = guard.readingOnce();
        if (pressure.connections() != null && pressure.capacity() != null) {
            s = s.withLastSample(new EpisodeState.Sample(
                    pressure.connections().total(), pressure.capacity().usable()));
        }
        Level level = pressure.level();
        if (level == Level.UNKNOWN) {
            // blind: neither escalate nor start restoring; a database that cannot be probed is often the one in trouble
            return new Transition(s.withOkSince(null), Hold.because("level UNKNOWN: no step without a sample"));
        }
        if (level == Level.OK) {
            return onOk(s, pressure, guard, now);
        }
        if (s.phase() == Phase.RECOVERING) {
            Confirmation relapse = Confirmation.judge(guard.target().read(), pressure, evidence);
            if (!relapse.confirmed()) {
                return new Transition(
                        s, Hold.because("relapse not confirmed on the target (" + relapse + "): restoring goes on"));
            }
        }
        // a missing id on both sides is the same incident: treating it as new would reset the budgets each event
        boolean sameIncident = Objects.equals(s.incidentId(), pressure.incidentId());
        if (!sameIncident) {
            s = s.withIncident(pressure.incidentId(), s.episode(), 0, null);
        }
        if (s.phase() == Phase.MITIGATING && sameIncident) {
            return escalate(s.withOkSince(null), pressure, guard, now);
        }
        // idle, a new incident, or a relapse while restoring: (re-)enter the ladder from the first matching step
        EpisodeState entering =
                s.withIncident(s.incidentId(), s.episode() + 1, s.actionsInIncident(), s.failedClosed());
        int first = nextMatching(-1, pressure);
        while (first >= 0 && s.applied().contains(first)) {
            // still in effect from before the relapse (not yet restored): do not repeat it
            first = nextMatching(first, pressure);
        }
        if (first < 0 && s.phase() == Phase.RECOVERING) {
            int last = s.applied().stream().mapToInt(Integer::intValue).max().orElse(s.step());
            return new Transition(
                    entering.withPhase(Phase.MITIGATING, last, 0, now, pressure.ratio()),
                    Hold.because("relapse: restoring stopped, the steps still in effect stay"));
        }
        if (first < 0) {
            return new Transition(s, Hold.because("no enabled step applies at level " + level));
        }
        Transition t = planStep(entering, first, pressure, guard, now);
        if (t.decision() instanceof Hold && s.phase() == Phase.RECOVERING) {
            // a relapse the guardrails do not let us answer still stops the restoring
            return new Transition(s.withPhase(Phase.MITIGATING, s.step(), 0, now, pressure.ratio()), t.decision());
        }
        return t;
    }

    /**
     * A clock tick: soak windows end without any event arriving (the detector only heartbeats while OK), and a
     * verification window that ended escalates at once on {@code lastPressure} (the last pressure event handled;
     * null when none was seen since start-up) instead of waiting for the detector's next periodic event.
     */
    public Transition onTick(EpisodeState state, String targetId, PressureChanged lastPressure, Guard guard) {
        Instant now = clock.instant();
        guard = guard.readingOnce();
        if (state.phase() != Phase.IDLE && leaseExpired(state, now)) {
            return withoutEvidence(state, targetId, guard, now);
        }
        if (state.phase() == Phase.MITIGATING
                && state.okSince() == null
                && lastPressure != null
                && staleness(lastPressure, now) == null
                && lastPressure.level().isAbove(Level.OK)
                && Objects.equals(state.incidentId(), lastPressure.incidentId())) {
            Transition t = escalate(state, lastPressure, guard, now);
            // only an action is news on a tick; holds and guardrail hits are published with the next pressure event
            return t.decision() instanceof Act ? t : new Transition(t.next(), Hold.silently(reasonOf(t.decision())));
        }
        if (state.phase() == Phase.MITIGATING && state.okSince() != null) {
            Instant due = state.okSince().plus(policy.recovery().okSoak());
            if (now.isBefore(due)) {
                return new Transition(
                        state,
                        new Wait(due, "OK must hold for " + policy.recovery().okSoak()));
            }
            return startRecovery(state, targetId, null, guard, now);
        }
        if (state.phase() != Phase.RECOVERING) {
            return new Transition(state, Hold.silently("nothing due"));
        }
        Instant due = state.since().plus(policy.recovery().soak());
        if (now.isBefore(due)) {
            return new Transition(state, new Wait(due, "recovery stage " + state.stage() + " soaking"));
        }
        if (state.failedClosed() != null || guard.killSwitchEngaged()) {
            return new Transition(state, Hold.silently("recovery held: " + holdReason(state, guard)));
        }
        return runStage(state, targetId, null, state.stage() + 1, now);
    }

    /** Whether {@code pressure} is fresh enough to act on now; a stale claim is kept for nothing, not even a tick. */
    public boolean fresh(PressureChanged pressure) {
        return staleness(pressure, clock.instant()) == null;
    }

    /**
     * Why a claim is too old to act on, or null when it is fresh. {@code sampledAt} is the detector's clock, {@code now}
     * the mitigator's: skew between the hosts shifts the age by as much, so a claim from further ahead than
     * evidence.max-age is refused too (NTP keeps the skew to milliseconds; a larger one is a fault to fix, not to
     * act through).
     */
    private String staleness(PressureChanged pressure, Instant now) {
        Duration age = Duration.between(pressure.sampledAt(), now);
        if (age.compareTo(evidence.maxAge()) > 0) {
            return "stale evidence: sampled " + age.toSeconds() + " s ago (evidence.max-age "
                    + evidence.maxAge().toSeconds() + " s)";
        }
        if (age.negated().compareTo(evidence.maxAge()) > 0) {
            return "evidence from the future: sampled " + age.negated().toSeconds()
                    + " s ahead of the mitigator's clock (evidence.max-age "
                    + evidence.maxAge().toSeconds()
                    + " s): check the hosts' clocks";
        }
        return null;
    }

    private boolean leaseExpired(EpisodeState s, Instant now) {
        Instant last = s.evidenceAt() != null ? s.evidenceAt() : s.since();
        return last != null && now.isAfter(last.plus(evidence.timeout()));
    }

    /**
     * The open episode's evidence lease expired: no fresh claim for {@code evidence.timeout} (the detector died, lost
     * Kafka or its database connection, or only stale events arrive). No step runs on an old claim. The mitigator
     * reads the target itself on every tick instead, and restores in stages once its own samples have stayed under
     * {@code healthy-below} for the soak ({@code ok-soak} before the first stage, {@code soak} between stages), so
     * nothing it changed stays changed waiting for an event that may never come. The first tick of a lapse says so
     * in an event; a fresh claim ends the lapse.
     */
    private Transition withoutEvidence(EpisodeState state, String targetId, Guard guard, Instant now) {
        OwnSample own = guard.target().read();
        boolean healthy = own != null && !own.refused() && own.ratio() < evidence.healthyBelow();
        boolean news = state.evidenceLostAt() == null;
        EpisodeState s = news ? state.withEvidenceLostAt(now) : state;
        Instant lastEvidence = s.evidenceAt() != null ? s.evidenceAt() : s.since();
        String lapse = "no fresh evidence since " + lastEvidence + " (evidence.timeout "
                + evidence.timeout().toSeconds() + " s): no new step; ";
        if (!healthy) {
            String reason = lapse + "holding, "
                    + (own == null ? "the target cannot be read either" : "own sample " + own + " is not healthy");
            return new Transition(s.withOkSince(null), news ? Hold.because(reason) : Hold.silently(reason));
        }
        Instant healthySince = s.okSince() != null ? s.okSince() : now;
        s = s.withOkSince(healthySince);
        boolean recovering = s.phase() == Phase.RECOVERING;
        Instant due = recovering
                ? latest(healthySince, s.since()).plus(policy.recovery().soak())
                : healthySince.plus(policy.recovery().okSoak());
        String reason = String.format(
                Locale.ROOT,
                "%sown sample %s is under %.2f: restoring in stages once that holds until %s",
                lapse,
                own,
                evidence.healthyBelow(),
                due);
        if (news) {
            return new Transition(s, Hold.because(reason));
        }
        if (now.isBefore(due)) {
            return new Transition(s, new Wait(due, reason));
        }
        if (s.failedClosed() != null || guard.killSwitchEngaged()) {
            return new Transition(s, Hold.silently("recovery held: " + holdReason(s, guard)));
        }
        return runStage(s, targetId, null, recovering ? s.stage() + 1 : 0, now);
    }

    private static Instant latest(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    /**
     * An operator asked for the staged restore now: for a target whose restore fail-closed held, or one left mitigated
     * without a detector. Clears fail-closed and runs recovery from its first stage (from the stage that was held when
     * already recovering; every restore is idempotent), then the soaks go on as usual. The restore's actions get new
     * ids (a new episode), so a stage run again is not taken downstream for a duplicate.
     */
    public Transition onRestoreRequested(EpisodeState state, String targetId, Guard guard) {
        if (state.phase() == Phase.IDLE) {
            return new Transition(state, Hold.because("nothing to restore: no episode is open"));
        }
        if (guard.killSwitchEngaged()) {
            return new Transition(state, Hold.because("kill switch engaged: release it before restoring"));
        }
        EpisodeState s = state.withIncident(state.incidentId(), state.episode() + 1, state.actionsInIncident(), null);
        return runStage(s, targetId, null, state.phase() == Phase.RECOVERING ? state.stage() : 0, clock.instant());
    }

    /** An operator lets automation go on for a target that failed closed: the policy decides again from here. */
    public Transition onResumeRequested(EpisodeState state) {
        if (state.failedClosed() == null) {
            return new Transition(state, Hold.because("nothing to resume: the target is not failed closed"));
        }
        return new Transition(
                state.withFailedClosed(null),
                Hold.because("fail closed lifted (was: " + state.failedClosed() + "); automation goes on in phase "
                        + state.phase()));
    }

    /**
     * Whether {@code pressure} measured the target after {@code at}: a step is verified only on a sample taken after
     * it ran. The detector publishes while above OK only every {@code periodic-update} (5 s), so the last event a tick
     * sees may predate the step, and escalating on it would judge the step on the pressure it was meant to relieve.
     * {@code sampledAt} is the detector's clock, {@code at} the mitigator's: they differ by the hosts' clock skew.
     */
    private static boolean sampledAfter(PressureChanged pressure, Instant at) {
        return at == null
                || pressure.sampledAt() == null
                || !pressure.sampledAt().isBefore(at);
    }

    /**
     * Folds what the adapters reported into the state: a failure closes the target, signals use up the budget, the
     * replicas a scale-down reported complete what recovery learns from it.
     */
    public EpisodeState afterEffects(EpisodeState state, List<EffectReport> reports) {
        Instant now = clock.instant();
        String failed = state.failedClosed();
        EpisodeState.ScaleDown down = state.scaleDown();
        List<Instant> signals = new ArrayList<>(recent(state.recentSignals(), now, Duration.ofMinutes(1)));
        Map<String, Instant> lastActionAt = new HashMap<>(state.lastActionAt());
        for (EffectReport report : reports) {
            if (report.failed() && failed == null) {
                failed = "step " + report.step() + " failed: " + report.error();
            }
            if (report.operation() == Operation.APPLY && !report.changed()) {
                // it changed nothing, so nothing needs time to settle: no cooldown. The kind's previous run was out of
                // its cooldown when this one was planned, so dropping the entry loses no cooldown still running.
                lastActionAt.remove(
                        policy.ladder().get(indexOf(report.step())).action().kind());
            }
            for (int i = 0; i < report.sessionsSignalled(); i++) {
                signals.add(now);
            }
            if (down != null
                    && down.replicasBefore() == null
                    && down.step().equals(report.step())
                    && report.replicasBefore() != null
                    && report.replicasAfter() != null) {
                down = new EpisodeState.ScaleDown(
                        down.step(),
                        down.connectionsBefore(),
                        report.replicasBefore(),
                        report.replicasAfter(),
                        report.poolSize());
            }
        }
        return state.withEffects(failed, signals).withScaleDown(down).withLastActionAt(lastActionAt);
    }

    private Transition onOk(EpisodeState s, PressureChanged pressure, Guard guard, Instant now) {
        boolean resolved = PressureChanged.REASON_INCIDENT_RESOLVED.equals(pressure.reason());
        if (s.phase() == Phase.MITIGATING) {
            if (resolved) {
                return startRecovery(s, pressure.targetId(), pressure, guard, now);
            }
            EpisodeState next = s.okSince() == null ? s.withOkSince(now) : s;
            Instant due = next.okSince().plus(policy.recovery().okSoak());
            return new Transition(next, new Wait(due, "level OK; restoring once it holds until " + due));
        }
        return new Transition(s, Hold.because("level OK, nothing to do in phase " + s.phase()));
    }

    private Transition escalate(EpisodeState s, PressureChanged pressure, Guard guard, Instant now) {
        Policy.Step current = policy.ladder().get(s.step());
        Instant due = s.since().plus(current.verify().window());
        if (now.isBefore(due)) {
            return new Transition(s, new Wait(due, "verifying step " + current.name()));
        }
        if (!sampledAfter(pressure, s.since())) {
            return new Transition(
                    s, Hold.because("verifying step " + current.name() + ": no sample taken since it ran"));
        }
        double improvement = s.baselineRatio() - pressure.ratio();
        if (improvement >= current.verify().improvement()) {
            // progress: keep the step, measure the next window from here
            return new Transition(
                    s.withPhase(Phase.MITIGATING, s.step(), 0, now, pressure.ratio()),
                    Hold.because(String.format(
                            Locale.ROOT,
                            "step %s helped: ratio %.2f -> %.2f",
                            current.name(),
                            s.baselineRatio(),
                            pressure.ratio())));
        }
        int next = nextMatching(s.step(), pressure);
        while (next >= 0 && s.applied().contains(next)) {
            // a step still in effect (reached again by a sweep) is not repeated
            next = nextMatching(next, pressure);
        }
        if (next < 0) {
            return sweepAgain(s, current, pressure, guard, now);
        }
        return planStep(s, next, pressure, guard, now);
    }

    /**
     * The ladder ran out and pressure holds. The runbook says to follow its steps "until connections recover", and the
     * session steps can find work now that they could not find before: a query shorter than {@code min-duration} or a
     * transaction younger than {@code older-than} then may have aged past it since. So the first matching session step
     * whose cooldown allows it runs again, as a new action, and the ladder goes on from there; with every one cooling
     * down, the engine waits for the first to be allowed.
     */
    private Transition sweepAgain(
            EpisodeState s, Policy.Step current, PressureChanged pressure, Guard guard, Instant now) {
        String exhausted = "ladder exhausted after step " + current.name();
        Instant firstAllowed = null;
        String waitingFor = null;
        for (int i = 0; i < policy.ladder().size(); i++) {
            Policy.Step step = policy.ladder().get(i);
            if (!step.enabled() || !step.action().signalsSessions() || !matches(step.when(), pressure)) {
                continue;
            }
            Instant allowed = cooldownEnd(s, step);
            if (allowed == null || !now.isBefore(allowed)) {
                Transition t = planStep(s.withNextSweep(), i, pressure, guard, now);
                // a sweep another guardrail blocks is not a sweep: its hold is news, the counter stays
                return t.decision() instanceof Act ? t : new Transition(s, t.decision());
            }
            if (firstAllowed == null || allowed.isBefore(firstAllowed)) {
                firstAllowed = allowed;
                waitingFor = step.name();
            }
        }
        if (firstAllowed == null) {
            return new Transition(s, Hold.because(exhausted));
        }
        return new Transition(
                s, new Wait(firstAllowed, exhausted + "; repeating step " + waitingFor + " once its cooldown ends"));
    }

    private Instant cooldownEnd(EpisodeState s, Policy.Step step) {
        Instant last = s.lastActionAt().get(step.action().kind());
        return last == null ? null : last.plus(policy.guardrails().cooldown());
    }

    /**
     * Plans step {@code index} and, while the planned step says {@code and-next}, the next matching step not still in
     * effect. A chained step a guardrail blocks is left out; the next escalation publishes its SKIPPED event.
     */
    private Transition planStep(EpisodeState s, int index, PressureChanged pressure, Guard guard, Instant now) {
        List<PlannedAction> plan = new ArrayList<>();
        EpisodeState next = s;
        int at = index;
        while (at >= 0) {
            Policy.Step step = policy.ladder().get(at);
            int sessionBudget = policy.guardrails().maxSessionsSignalledPerMinute()
                    - recent(next.recentSignals(), now, Duration.ofMinutes(1)).size();
            PlannedAction action =
                    planned(next, pressure.targetId(), eventIdOf(next), step, Operation.APPLY, sessionBudget);
            String blocked = guardrail(next, step, guard, now, sessionBudget);
            if (blocked != null) {
                if (plan.isEmpty()) {
                    return new Transition(s, Hold.blocking(action, blocked));
                }
                break;
            }
            plan.add(action);
            next = acted(next, at, step, pressure, now);
            if (!step.andNext()) {
                break;
            }
            at = nextMatching(at, pressure);
            while (at >= 0 && next.applied().contains(at)) {
                at = nextMatching(at, pressure);
            }
        }
        if (plan.stream().noneMatch(a -> a.mode() == Mode.ENFORCE)) {
            return new Transition(next, new Act(plan)); // a dry run changes nothing, so it needs no confirmation
        }
        // the claim is a message; the target is the evidence: act only on what the mitigator's own sample bears out
        Confirmation confirmation = Confirmation.judge(guard.target().read(), pressure, evidence);
        if (!confirmation.confirmed()) {
            return new Transition(s, Hold.blocking(plan.get(0), "not confirmed on the target: " + confirmation));
        }
        return new Transition(next, new Act(plan, confirmation));
    }

    private EpisodeState acted(EpisodeState s, int index, Policy.Step step, PressureChanged pressure, Instant now) {
        List<Integer> applied = new ArrayList<>(s.applied());
        if (step.action().reversible() && !applied.contains(index)) {
            applied.add(index);
        }
        Map<String, Instant> last = new HashMap<>(s.lastActionAt());
        last.put(step.action().kind(), now);
        List<Instant> recentActions = new ArrayList<>(recent(s.recentActions(), now, Duration.ofHours(1)));
        recentActions.add(now);
        EpisodeState next = s.withPhase(Phase.MITIGATING, index, 0, now, pressure.ratio())
                .withActed(applied, last, recentActions, s.actionsInIncident() + 1);
        if (step.action() instanceof ActionSpec.ScaleWorkload && next.scaleDown() == null) {
            // recovery learns connections per replica from this scale-down: connections now vs. once it is done
            Integer connections = pressure.connections() == null
                    ? null
                    : pressure.connections().total();
            next = next.withScaleDown(new EpisodeState.ScaleDown(step.name(), connections, null, null, null));
        }
        return next;
    }

    private String guardrail(EpisodeState s, Policy.Step step, Guard guard, Instant now, int sessionBudget) {
        String hold = holdReason(s, guard);
        if (hold != null) {
            return hold;
        }
        Policy.Guardrails g = policy.guardrails();
        if (s.actionsInIncident() >= g.maxActionsPerIncident()) {
            return "budget: max-actions-per-incident " + g.maxActionsPerIncident() + " reached";
        }
        if (recent(s.recentActions(), now, Duration.ofHours(1)).size() >= g.maxActionsPerHour()) {
            return "budget: max-actions-per-hour " + g.maxActionsPerHour() + " reached";
        }
        Instant allowed = cooldownEnd(s, step);
        if (allowed != null && now.isBefore(allowed)) {
            return "cooldown: " + step.action().kind() + " ran at "
                    + s.lastActionAt().get(step.action().kind()) + ", cooldown " + g.cooldown();
        }
        if (step.action().signalsSessions() && sessionBudget <= 0) {
            return "budget: max-sessions-signalled-per-minute " + g.maxSessionsSignalledPerMinute() + " reached";
        }
        return null;
    }

    private static String holdReason(EpisodeState s, Guard guard) {
        if (guard.killSwitchEngaged()) {
            return "kill switch engaged: automation is off";
        }
        if (s.failedClosed() != null) {
            return "fail closed: " + s.failedClosed();
        }
        return null;
    }

    private Transition startRecovery(EpisodeState s, String targetId, PressureChanged cause, Guard guard, Instant now) {
        if (guard.killSwitchEngaged() || s.failedClosed() != null) {
            String reason = "recovery held: " + holdReason(s, guard);
            return new Transition(s, cause == null ? Hold.silently(reason) : Hold.because(reason));
        }
        return runStage(s, targetId, cause, 0, now);
    }

    /** Runs recovery stage {@code stage} (skipping empty ones), or ends the episode after the last. */
    private Transition runStage(EpisodeState s, String targetId, PressureChanged cause, int stage, Instant now) {
        List<List<PlannedAction>> stages = stages(s, targetId, cause);
        int at = stage;
        while (at < stages.size() && stages.get(at).isEmpty()) {
            at++;
        }
        if (at >= stages.size()) {
            // the incident and episode stay: if the same incident flares up again its actions get new ids (the
            // same ids would be dropped downstream as duplicates) and still count against its budget
            List<String> partly = s.applied().stream()
                    .map(i -> policy.ladder().get(i))
                    .filter(step -> step.action() instanceof ActionSpec.ScaleWorkload)
                    .map(step -> ((ActionSpec.ScaleWorkload) step.action())
                            .workload()
                            .toString())
                    .toList();
            EpisodeState done = s.withPhase(Phase.IDLE, -1, 0, null, 0)
                    .withApplied(List.of())
                    .withScaleDown(null);
            return new Transition(
                    done,
                    Hold.because(
                            partly.isEmpty()
                                    ? "recovery complete: everything restored"
                                    : "recovery complete: " + String.join(", ", partly)
                                            + " left below its original count to keep the ratio under "
                                            + policy.recovery().maxRatio() + "; the original count is in "
                                            + "connguard.io/original-replicas for a human to finish"));
        }
        List<Integer> remaining = new ArrayList<>(s.applied());
        if (at >= STAGE_RESTORE_WORKERS) {
            // fully restored objects leave the applied list, so a relapse after this point re-applies them
            for (PlannedAction a : stages.get(at)) {
                if (a.operation() == Operation.RESTORE) {
                    remaining.remove(Integer.valueOf(indexOf(a.step())));
                }
            }
        }
        EpisodeState next = s.withPhase(Phase.RECOVERING, s.step(), at, now, s.baselineRatio())
                .withApplied(remaining);
        return new Transition(next, new Act(stages.get(at)));
    }

    /**
     * Recovery in stages: workers to one, workers to the highest safe count (the original when it is safe), pools
     * restored, ingestion resumed.
     */
    private List<List<PlannedAction>> stages(EpisodeState s, String targetId, PressureChanged cause) {
        List<PlannedAction> toOne = new ArrayList<>();
        List<PlannedAction> workers = new ArrayList<>();
        List<PlannedAction> pools = new ArrayList<>();
        List<PlannedAction> ingestion = new ArrayList<>();
        String causation = cause == null ? null : eventIdOf(s);
        for (int index : s.applied()) {
            Policy.Step step = policy.ladder().get(index);
            ActionSpec spec = step.action();
            if (spec instanceof ActionSpec.ScaleWorkload) {
                toOne.add(planned(s, targetId, causation, step, Operation.PARTIAL_RESTORE, 0));
                workers.add(restoreWorkers(s, targetId, causation, step));
            } else if (spec instanceof ActionSpec.ShrinkPool) {
                pools.add(planned(s, targetId, causation, step, Operation.RESTORE, 0));
            } else if (spec instanceof ActionSpec.PauseIngestion) {
                ingestion.add(planned(s, targetId, causation, step, Operation.RESTORE, 0));
            }
        }
        return List.of(toOne, workers, pools, ingestion);
    }

    /**
     * The workers' second restore stage. Connections per replica are learned from the scale-down (connections when
     * it was decided minus the last sample, over the replicas removed), and are never taken below the workload's
     * declared pool size; the count restored is the highest whose predicted ratio stays at or below
     * {@code recovery.max-ratio}. Without either measure the original count is restored, as the annotation says.
     */
    private PlannedAction restoreWorkers(EpisodeState s, String targetId, String causation, Policy.Step step) {
        EpisodeState.ScaleDown down = s.scaleDown();
        EpisodeState.Sample sample = s.lastSample();
        if (down == null
                || !down.step().equals(step.name())
                || down.replicasBefore() == null
                || down.replicasAfter() == null
                || down.replicasBefore() <= down.replicasAfter()
                || (down.connectionsBefore() == null && down.poolSize() == null)
                || sample == null
                || sample.capacity() <= 0) {
            return planned(s, targetId, causation, step, Operation.RESTORE, 0);
        }
        int original = down.replicasBefore();
        int after = down.replicasAfter();
        double learned = down.connectionsBefore() == null
                ? 0
                : (down.connectionsBefore() - sample.connections()) / (double) (original - after);
        double perReplica = Math.max(Math.max(0, learned), down.poolSize() == null ? 0 : down.poolSize());
        double ceiling = policy.recovery().maxRatio();
        String name = ((ActionSpec.ScaleWorkload) step.action()).workload().name();
        int safe = original;
        while (safe > 1 && predictedRatio(sample, after, perReplica, safe) > ceiling) {
            safe--;
        }
        if (safe >= original) {
            String reason = String.format(
                    Locale.ROOT,
                    "restored %s to its original %d: predicted ratio %.2f (ceiling %.2f)",
                    name,
                    original,
                    predictedRatio(sample, after, perReplica, original),
                    ceiling);
            return planned(s, targetId, causation, step, Operation.RESTORE, 0, null, reason);
        }
        String reason = String.format(
                Locale.ROOT,
                "restored %s to %d of %d: %d would reach ratio %.2f (ceiling %.2f, %.1f connections per replica)",
                name,
                safe,
                original,
                safe + 1,
                predictedRatio(sample, after, perReplica, safe + 1),
                ceiling,
                perReplica);
        return planned(s, targetId, causation, step, Operation.PARTIAL_RESTORE, 0, safe, reason);
    }

    private static double predictedRatio(EpisodeState.Sample sample, int sampledAt, double perReplica, int replicas) {
        return (sample.connections() + (replicas - sampledAt) * perReplica) / sample.capacity();
    }

    private PlannedAction planned(
            EpisodeState s, String targetId, String causation, Policy.Step step, Operation op, int sessionBudget) {
        return planned(s, targetId, causation, step, op, sessionBudget, null, null);
    }

    private PlannedAction planned(
            EpisodeState s,
            String targetId,
            String causation,
            Policy.Step step,
            Operation op,
            int sessionBudget,
            Integer restoreReplicas,
            String reason) {
        // a partial restore to a count is its own action: the stage that brings workers to one must keep its id
        String key = targetId + "/" + s.incidentId() + "/" + s.episode() + "/" + step.name() + "/" + op
                + (restoreReplicas == null ? "" : "/" + restoreReplicas)
                + (s.sweep() == 0 ? "" : "/sweep-" + s.sweep());
        return new PlannedAction(
                UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString(),
                targetId,
                s.incidentId(),
                causation,
                step.name(),
                step.action(),
                op,
                policy.modeOf(step),
                Math.max(0, sessionBudget),
                policy.guardrails().maxReplicaFractionRemoved(),
                policy.protection(),
                restoreReplicas,
                reason);
    }

    private int nextMatching(int after, PressureChanged p) {
        for (int i = after + 1; i < policy.ladder().size(); i++) {
            Policy.Step step = policy.ladder().get(i);
            if (step.enabled() && matches(step.when(), p)) {
                return i;
            }
        }
        return -1;
    }

    static boolean matches(Policy.Condition c, PressureChanged p) {
        if (c.minLevel().isAbove(p.level())) {
            return false;
        }
        if (c.minRatio() != null && p.ratio() < c.minRatio()) {
            return false;
        }
        int idle = p.idleInTransaction() == null ? 0 : p.idleInTransaction().count();
        if (c.minIdleInTransaction() != null && idle < c.minIdleInTransaction()) {
            return false;
        }
        int waiting = p.pooler() == null ? 0 : p.pooler().clientsWaiting();
        return c.minPoolerWaiting() == null || waiting >= c.minPoolerWaiting();
    }

    private int indexOf(String stepName) {
        for (int i = 0; i < policy.ladder().size(); i++) {
            if (policy.ladder().get(i).name().equals(stepName)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no step " + stepName);
    }

    private static String reasonOf(Decision d) {
        if (d instanceof Hold h) {
            return h.reason();
        }
        return d instanceof Wait w ? w.reason() : "acting";
    }

    private static EpisodeState remember(EpisodeState s, String eventId) {
        List<String> ids = new ArrayList<>(s.recentEventIds());
        ids.add(eventId);
        while (ids.size() > REMEMBERED_EVENT_IDS) {
            ids.remove(0);
        }
        return s.withEventIds(ids);
    }

    private static String eventIdOf(EpisodeState s) {
        List<String> ids = s.recentEventIds();
        return ids.isEmpty() ? null : ids.get(ids.size() - 1);
    }

    private static List<Instant> recent(List<Instant> times, Instant now, Duration window) {
        Instant from = now.minus(window);
        return times.stream().filter(t -> t.isAfter(from)).toList();
    }

    /**
     * What the engine must know from outside the policy: whether automation is switched off, and how to read the target
     * itself (to confirm a claim before acting, or to judge it when claims stopped arriving).
     */
    public record Guard(boolean killSwitchEngaged, TargetReader target) {
        public Guard {
            Objects.requireNonNull(target, "target");
        }

        Guard readingOnce() {
            return new Guard(killSwitchEngaged, target.once());
        }
    }
}
