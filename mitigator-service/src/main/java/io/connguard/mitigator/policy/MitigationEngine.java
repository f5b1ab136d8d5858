package io.connguard.mitigator.policy;

import io.connguard.events.Level;
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
    private final Clock clock;

    public MitigationEngine(Policy policy, Clock clock) {
        this.policy = policy;
        this.clock = clock;
    }

    public Policy policy() {
        return policy;
    }

    /** A pressure event for the state's target. */
    public Transition onPressure(EpisodeState state, String eventId, PressureChanged pressure, Guard guard) {
        if (state.recentEventIds().contains(eventId)) {
            return new Transition(state, Hold.silently("event " + eventId + " was already handled"));
        }
        EpisodeState s = remember(state, eventId);
        Instant now = clock.instant();
        Level level = pressure.level();
        if (level == Level.UNKNOWN) {
            // blind: neither escalate nor start restoring; a database that cannot be probed is often the one in trouble
            return new Transition(s.withOkSince(null), Hold.because("level UNKNOWN: no step without a sample"));
        }
        if (level == Level.OK) {
            return onOk(s, pressure, guard, now);
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

    /** A clock tick: soak windows end without any event arriving (the detector is silent while OK). */
    public Transition onTick(EpisodeState state, String targetId, Guard guard) {
        Instant now = clock.instant();
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

    /** Folds what the adapters reported into the state: a failure closes the target, signals use up the budget. */
    public EpisodeState afterEffects(EpisodeState state, List<EffectReport> reports) {
        Instant now = clock.instant();
        String failed = state.failedClosed();
        List<Instant> signals = new ArrayList<>(recent(state.recentSignals(), now, Duration.ofMinutes(1)));
        for (EffectReport report : reports) {
            if (report.failed() && failed == null) {
                failed = "step " + report.step() + " failed: " + report.error();
            }
            for (int i = 0; i < report.sessionsSignalled(); i++) {
                signals.add(now);
            }
        }
        return state.withEffects(failed, signals);
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
        if (next < 0) {
            return new Transition(s, Hold.because("ladder exhausted after step " + current.name()));
        }
        return planStep(s, next, pressure, guard, now);
    }

    private Transition planStep(EpisodeState s, int index, PressureChanged pressure, Guard guard, Instant now) {
        Policy.Step step = policy.ladder().get(index);
        Policy.Guardrails g = policy.guardrails();
        int sessionBudget = g.maxSessionsSignalledPerMinute()
                - recent(s.recentSignals(), now, Duration.ofMinutes(1)).size();
        PlannedAction action = planned(s, pressure.targetId(), eventIdOf(s), step, Operation.APPLY, sessionBudget);
        String blocked = guardrail(s, step, guard, now, sessionBudget);
        if (blocked != null) {
            return new Transition(s, Hold.blocking(action, blocked));
        }
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
        return new Transition(next, new Act(List.of(action)));
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
        Instant last = s.lastActionAt().get(step.action().kind());
        if (last != null && now.isBefore(last.plus(g.cooldown()))) {
            return "cooldown: " + step.action().kind() + " ran at " + last + ", cooldown " + g.cooldown();
        }
        boolean signals = step.action() instanceof ActionSpec.CancelQueries
                || step.action() instanceof ActionSpec.TerminateIdleInTransaction;
        if (signals && sessionBudget <= 0) {
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
            EpisodeState done = s.withPhase(Phase.IDLE, -1, 0, null, 0).withApplied(List.of());
            return new Transition(done, Hold.because("recovery complete: everything restored"));
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

    /** Recovery in stages: workers to one, workers to original, pools restored, ingestion resumed. */
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
                workers.add(planned(s, targetId, causation, step, Operation.RESTORE, 0));
            } else if (spec instanceof ActionSpec.ShrinkPool) {
                pools.add(planned(s, targetId, causation, step, Operation.RESTORE, 0));
            } else if (spec instanceof ActionSpec.PauseIngestion) {
                ingestion.add(planned(s, targetId, causation, step, Operation.RESTORE, 0));
            }
        }
        return List.of(toOne, workers, pools, ingestion);
    }

    private PlannedAction planned(
            EpisodeState s, String targetId, String causation, Policy.Step step, Operation op, int sessionBudget) {
        String key = targetId + "/" + s.incidentId() + "/" + s.episode() + "/" + step.name() + "/" + op;
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
                policy.protection());
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

    /** What the engine must know from outside the policy: whether automation is switched off. */
    public record Guard(boolean killSwitchEngaged) {}
}
