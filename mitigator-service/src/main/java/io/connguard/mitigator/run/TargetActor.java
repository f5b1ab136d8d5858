package io.connguard.mitigator.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.connguard.events.ActionEvent;
import io.connguard.events.Command;
import io.connguard.events.Mode;
import io.connguard.events.Outcome;
import io.connguard.events.PressureChanged;
import io.connguard.mitigator.action.ActionAdapter;
import io.connguard.mitigator.action.EffectResult;
import io.connguard.mitigator.action.http.SlackNotifier;
import io.connguard.mitigator.action.kubernetes.KubernetesStateStore;
import io.connguard.mitigator.action.kubernetes.KubernetesStateStore.Versioned;
import io.connguard.mitigator.policy.Confirmation;
import io.connguard.mitigator.policy.Decision;
import io.connguard.mitigator.policy.EffectReport;
import io.connguard.mitigator.policy.EpisodeState;
import io.connguard.mitigator.policy.MitigationEngine;
import io.connguard.mitigator.policy.Operation;
import io.connguard.mitigator.policy.PlannedAction;
import io.connguard.mitigator.policy.Policy;
import io.connguard.mitigator.policy.Transition;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Everything the mitigator does for one target, one input at a time (the caller runs it on the target's own
 * thread). Each input: read the state (cached, fenced by its version), let the engine decide, commit the new state
 * with compare-and-set, then run the effects and fold their reports back into the state. Losing the
 * compare-and-set means another replica moved first: reload and decide again.
 */
final class TargetActor {

    private static final Logger LOG = Logger.getLogger(TargetActor.class);
    private static final int ATTEMPTS = 4;
    // the state (and with it the episode) could not be read or written
    private static final int UNKNOWN_EPISODE = -1;

    private final String targetId;
    private final MitigationEngine engine;
    private final KubernetesStateStore store;
    private final List<ActionAdapter> adapters;
    private final SlackNotifier notifier;
    private final Clock clock;
    // written only on the target's thread; volatile because the scheduler thread reads it through active()
    private volatile Versioned cached;
    // effects reported while the store could not be written (often the very API outage that failed the effect): folded
    // into every state this actor reads until a write stores them, so a failure keeps the target closed. Folding again
    // a report the store did get is harmless (at worst a signal counts twice against the budget, which only tightens
    // it)
    private List<EffectReport> unsaved = List.of();
    private PressureChanged lastPressure;

    TargetActor(
            String targetId,
            MitigationEngine engine,
            KubernetesStateStore store,
            List<ActionAdapter> adapters,
            SlackNotifier notifier,
            Clock clock) {
        this.targetId = targetId;
        this.engine = engine;
        this.store = store;
        this.adapters = adapters;
        this.notifier = notifier;
        this.clock = clock;
    }

    PressureChanged lastPressure() {
        return lastPressure;
    }

    /** Handles one pressure event; {@code emit} receives each action event as soon as it exists. */
    void onPressure(
            String eventId, PressureChanged pressure, MitigationEngine.Guard guard, Consumer<ActionEvent> emit) {
        if (engine.fresh(pressure)) {
            // a stale claim must not be escalated on by a later tick either
            lastPressure = pressure;
        }
        decide(s -> engine.onPressure(s, eventId, pressure, guard), eventId, pressure.incidentId(), false, emit);
    }

    /** Handles a clock tick: soak windows that ended, an evidence lease that expired. */
    void onTick(MitigationEngine.Guard guard, Consumer<ActionEvent> emit) {
        decide(s -> engine.onTick(s, targetId, lastPressure, guard), null, null, true, emit);
    }

    /** An operator's restore: fail-closed lifted, the staged restore runs now. */
    void onRestoreRequested(MitigationEngine.Guard guard, Consumer<ActionEvent> emit) {
        decide(s -> engine.onRestoreRequested(s, targetId, guard), null, incident(), false, emit);
    }

    /** An operator's resume: fail-closed lifted, the policy decides again from here. */
    void onResumeRequested(Consumer<ActionEvent> emit) {
        decide(engine::onResumeRequested, null, incident(), false, emit);
    }

    private String incident() {
        return cached == null ? null : cached.state().incidentId();
    }

    /** Whether ticks can matter: the target is mid-episode. */
    boolean active() {
        return cached == null || cached.state().phase() != EpisodeState.Phase.IDLE;
    }

    private void decide(
            Function<EpisodeState, Transition> input,
            String causation,
            String incident,
            boolean tick,
            Consumer<ActionEvent> emit) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Versioned current;
            try {
                current = cached != null ? cached : store.load(targetId);
            } catch (RuntimeException e) {
                // fail closed: without the state we cannot know what was done, so we do nothing
                if (!tick) {
                    emit.accept(ActionEvents.noop(
                            targetId,
                            incident,
                            UNKNOWN_EPISODE,
                            causation,
                            null,
                            Mode.ENFORCE,
                            "fail closed: cannot read the target's state: " + e.getMessage(),
                            now()));
                }
                return;
            }
            if (!unsaved.isEmpty()) {
                current = new Versioned(engine.afterEffects(current.state(), unsaved), current.version());
            }
            Transition t = input.apply(current.state());
            try {
                if (!unsaved.isEmpty() || !t.next().equals(current.state())) {
                    cached = new Versioned(t.next(), store.compareAndSet(targetId, t.next(), current.version()));
                    unsaved = List.of();
                } else {
                    cached = current;
                }
            } catch (KubernetesStateStore.Conflict conflict) {
                LOG.debugf("%s: lost the state race, reloading", targetId);
                cached = null;
                continue;
            } catch (RuntimeException e) {
                cached = null;
                if (!tick) {
                    emit.accept(ActionEvents.noop(
                            targetId,
                            incident,
                            UNKNOWN_EPISODE,
                            causation,
                            null,
                            Mode.ENFORCE,
                            "fail closed: cannot write the target's state: " + e.getMessage(),
                            now()));
                }
                return;
            }
            publish(t, causation, incident, tick, emit);
            return;
        }
        LOG.warnf("%s: state kept changing under us after %d attempts; input dropped", targetId, ATTEMPTS);
    }

    private void publish(Transition t, String causation, String incident, boolean tick, Consumer<ActionEvent> emit) {
        Decision decision = t.decision();
        String step = t.next().step() >= 0
                        && t.next().step() < engine.policy().ladder().size()
                ? engine.policy().ladder().get(t.next().step()).name()
                : null;
        Mode mode = engine.policy().mode() == Policy.PolicyMode.ENFORCE ? Mode.ENFORCE : Mode.DRY_RUN;
        // a tick carries no incident: its decisions (e.g. "recovery complete") belong to the episode's
        String incidentId = tick ? t.next().incidentId() : incident;
        if (decision instanceof Decision.Act act) {
            run(act.plan(), act.confirmation(), emit);
        } else if (decision instanceof Decision.Hold hold) {
            if (hold.blocked() != null) {
                ActionEvent skipped = ActionEvents.skipped(hold.blocked(), causation, hold.reason(), now());
                emit.accept(skipped);
                postNotification(List.of(skipped));
            } else if (!hold.silent()) {
                emit.accept(ActionEvents.noop(
                        targetId, incidentId, t.next().episode(), causation, step, mode, hold.reason(), now()));
            }
        } else if (decision instanceof Decision.Wait wait && !tick) {
            emit.accept(ActionEvents.noop(
                    targetId,
                    incidentId,
                    t.next().episode(),
                    causation,
                    step,
                    mode,
                    wait.reason() + " until " + wait.until(),
                    now()));
        }
    }

    private void run(List<PlannedAction> plan, Confirmation confirmation, Consumer<ActionEvent> emit) {
        List<EffectReport> reports = new ArrayList<>();
        for (PlannedAction action : plan) {
            emit.accept(ActionEvents.planned(action, confirmation, now()));
            List<EffectResult> results;
            try {
                results = adapterFor(action).run(action);
            } catch (RuntimeException e) {
                // a defect, not a verdict on the input: report it and fail closed instead of dead-lettering the event
                LOG.errorf(e, "%s: action %s crashed", targetId, action.actionId());
                results = List.of(EffectResult.failed(action, Command.none(), e.toString(), now()));
            }
            int signalled = 0;
            boolean changed = false;
            String error = null;
            Integer replicasBefore = null;
            Integer replicasAfter = null;
            Integer poolSize = null;
            List<ActionEvent> published = new ArrayList<>();
            for (EffectResult r : results) {
                ActionEvent result = ActionEvents.result(action, r);
                emit.accept(result);
                published.add(result);
                signalled += r.sessionsSignalled();
                changed |= r.outcome() != Outcome.NOOP && r.outcome() != Outcome.SKIPPED;
                if (r.failed() && error == null) {
                    error = r.error();
                }
                if (action.operation() == Operation.APPLY && replicas(r.stateBefore()) != null) {
                    replicasBefore = replicas(r.stateBefore());
                    replicasAfter = replicas(r.stateAfter());
                    poolSize = r.stateBefore().path("poolSize").isInt()
                            ? r.stateBefore().get("poolSize").asInt()
                            : null;
                }
            }
            // one message per action, however many backends it signalled or skipped
            postNotification(published);
            reports.add(new EffectReport(
                    action.actionId(),
                    action.step(),
                    action.operation(),
                    changed,
                    error != null,
                    error,
                    signalled,
                    replicasBefore,
                    replicasAfter,
                    poolSize));
        }
        foldReports(reports);
    }

    private void postNotification(List<ActionEvent> events) {
        notifier.notify(engine.policy().notification(), targetId, events, lastPressure);
    }

    private void foldReports(List<EffectReport> reports) {
        List<EffectReport> pending = new ArrayList<>(unsaved);
        pending.addAll(reports);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try {
                Versioned current = cached != null ? cached : store.load(targetId);
                EpisodeState next = engine.afterEffects(current.state(), pending);
                if (!next.equals(current.state())) {
                    cached = new Versioned(next, store.compareAndSet(targetId, next, current.version()));
                }
                unsaved = List.of();
                return;
            } catch (KubernetesStateStore.Conflict conflict) {
                cached = null;
            } catch (RuntimeException e) {
                cached = null;
                LOG.errorf("%s: cannot record the effects in the state yet: %s", targetId, e.getMessage());
                break;
            }
        }
        unsaved = List.copyOf(pending);
    }

    private static Integer replicas(JsonNode state) {
        return state != null && state.path("replicas").isInt()
                ? state.get("replicas").asInt()
                : null;
    }

    private ActionAdapter adapterFor(PlannedAction action) {
        return ActionAdapter.forSpec(adapters, action.spec())
                .orElseThrow(() -> new IllegalStateException(
                        "no adapter for " + action.spec().kind()));
    }

    private Instant now() {
        return clock.instant();
    }
}
