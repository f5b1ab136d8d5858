package io.connguard.mitigator.policy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Where one target stands, persisted after every transition so a restarted (or another) mitigator continues.
 *
 * @param phase idle, mitigating (at ladder index {@code step} since {@code since} with {@code baselineRatio}), or
 *     recovering (at {@code stage} since {@code since})
 * @param episode incremented each time mitigation (re-)enters, so a step re-applied after a relapse is a new action
 * @param okSince when the level was first seen OK while mitigating; recovery starts after the policy's ok-soak
 * @param applied ladder indices of reversible steps run and not yet restored, in order
 * @param failedClosed why no further step runs for this target (an adapter failed); null when acting is allowed
 * @param lastActionAt last time each action kind ran, for cooldowns
 * @param recentActions when actions ran in the last hour, for the hourly budget
 * @param recentSignals when sessions were signalled in the last minute, one entry per session
 * @param recentEventIds ids of the last pressure events handled, to recognise redeliveries
 * @param lastSample connections and capacity of the last pressure event that carried them
 * @param scaleDown the episode's first worker scale-down, from which recovery learns connections per replica
 * @param sweep how many times this episode went through its session steps again after the ladder ran out; part of
 *     their action ids, so a repeat is a new action
 * @param evidenceAt when the last fresh pressure event was accepted (the mitigator's clock): the evidence lease of an
 *     open episode runs from here; null in a state stored before the lease existed (then it runs from {@code since})
 * @param evidenceLostAt when the lease of the open episode expired and the mitigator began to judge the target on its
 *     own samples; null while fresh evidence arrives
 */
public record EpisodeState(
        Phase phase,
        String incidentId,
        int episode,
        int step,
        Instant since,
        double baselineRatio,
        int stage,
        Instant okSince,
        List<Integer> applied,
        String failedClosed,
        Map<String, Instant> lastActionAt,
        List<Instant> recentActions,
        int actionsInIncident,
        List<Instant> recentSignals,
        List<String> recentEventIds,
        Sample lastSample,
        ScaleDown scaleDown,
        int sweep,
        Instant evidenceAt,
        Instant evidenceLostAt) {

    public enum Phase {
        IDLE,
        MITIGATING,
        RECOVERING
    }

    /** Connections in use and usable capacity, as a pressure event reported them. */
    public record Sample(int connections, int capacity) {}

    /**
     * A worker scale-down by ladder step {@code step}: the connections in use when it was decided (null when the
     * event did not count them), the replicas before and after it and the workload's declared pool size (null until
     * the adapter reported them).
     */
    public record ScaleDown(
            String step, Integer connectionsBefore, Integer replicasBefore, Integer replicasAfter, Integer poolSize) {}

    public EpisodeState {
        phase = phase == null ? Phase.IDLE : phase;
        applied = applied == null ? List.of() : List.copyOf(applied);
        lastActionAt = lastActionAt == null ? Map.of() : Map.copyOf(lastActionAt);
        recentActions = recentActions == null ? List.of() : List.copyOf(recentActions);
        recentSignals = recentSignals == null ? List.of() : List.copyOf(recentSignals);
        recentEventIds = recentEventIds == null ? List.of() : List.copyOf(recentEventIds);
    }

    public static EpisodeState idle() {
        return new EpisodeState(
                Phase.IDLE,
                null,
                0,
                -1,
                null,
                0,
                0,
                null,
                null,
                null,
                null,
                null,
                0,
                null,
                null,
                null,
                null,
                0,
                null,
                null);
    }

    EpisodeState withPhase(Phase p, int stepIndex, int stageIndex, Instant at, double baseline) {
        return with(b -> {
            b.phase = p;
            b.step = stepIndex;
            b.stage = stageIndex;
            b.since = at;
            b.baselineRatio = baseline;
            b.okSince = null;
        });
    }

    EpisodeState withOkSince(Instant at) {
        return with(b -> b.okSince = at);
    }

    EpisodeState withIncident(String incident, int episodeNumber, int actionsSoFar, String failed) {
        return with(b -> {
            b.incidentId = incident;
            b.episode = episodeNumber;
            b.actionsInIncident = actionsSoFar;
            b.failedClosed = failed;
            b.sweep = 0;
        });
    }

    EpisodeState withNextSweep() {
        return with(b -> b.sweep = sweep + 1);
    }

    EpisodeState withLastActionAt(Map<String, Instant> last) {
        return with(b -> b.lastActionAt = last);
    }

    EpisodeState withActed(List<Integer> appliedSteps, Map<String, Instant> last, List<Instant> recent, int count) {
        return with(b -> {
            b.applied = appliedSteps;
            b.lastActionAt = last;
            b.recentActions = recent;
            b.actionsInIncident = count;
        });
    }

    EpisodeState withEffects(String failed, List<Instant> signals) {
        return with(b -> {
            b.failedClosed = failed;
            b.recentSignals = signals;
        });
    }

    EpisodeState withApplied(List<Integer> appliedSteps) {
        return with(b -> b.applied = appliedSteps);
    }

    EpisodeState withEventIds(List<String> ids) {
        return with(b -> b.recentEventIds = ids);
    }

    EpisodeState withLastSample(Sample sample) {
        return with(b -> b.lastSample = sample);
    }

    EpisodeState withScaleDown(ScaleDown down) {
        return with(b -> b.scaleDown = down);
    }

    EpisodeState withFailedClosed(String failed) {
        return with(b -> b.failedClosed = failed);
    }

    /** A fresh claim arrived at {@code at}: the lease runs again from there. */
    EpisodeState withEvidenceAt(Instant at) {
        return with(b -> {
            b.evidenceAt = at;
            b.evidenceLostAt = null;
        });
    }

    EpisodeState withEvidenceLostAt(Instant at) {
        return with(b -> b.evidenceLostAt = at);
    }

    // records have no withers: copy every component once here, change the few the caller names
    private EpisodeState with(Consumer<Copy> change) {
        Copy c = new Copy(this);
        change.accept(c);
        return new EpisodeState(
                c.phase,
                c.incidentId,
                c.episode,
                c.step,
                c.since,
                c.baselineRatio,
                c.stage,
                c.okSince,
                c.applied,
                c.failedClosed,
                c.lastActionAt,
                c.recentActions,
                c.actionsInIncident,
                c.recentSignals,
                c.recentEventIds,
                c.lastSample,
                c.scaleDown,
                c.sweep,
                c.evidenceAt,
                c.evidenceLostAt);
    }

    private static final class Copy {
        Phase phase;
        String incidentId;
        int episode;
        int step;
        Instant since;
        double baselineRatio;
        int stage;
        Instant okSince;
        List<Integer> applied;
        String failedClosed;
        Map<String, Instant> lastActionAt;
        List<Instant> recentActions;
        int actionsInIncident;
        List<Instant> recentSignals;
        List<String> recentEventIds;
        Sample lastSample;
        ScaleDown scaleDown;
        int sweep;
        Instant evidenceAt;
        Instant evidenceLostAt;

        Copy(EpisodeState s) {
            phase = s.phase;
            incidentId = s.incidentId;
            episode = s.episode;
            step = s.step;
            since = s.since;
            baselineRatio = s.baselineRatio;
            stage = s.stage;
            okSince = s.okSince;
            applied = s.applied;
            failedClosed = s.failedClosed;
            lastActionAt = s.lastActionAt;
            recentActions = s.recentActions;
            actionsInIncident = s.actionsInIncident;
            recentSignals = s.recentSignals;
            recentEventIds = s.recentEventIds;
            lastSample = s.lastSample;
            scaleDown = s.scaleDown;
            sweep = s.sweep;
            evidenceAt = s.evidenceAt;
            evidenceLostAt = s.evidenceLostAt;
        }
    }
}
