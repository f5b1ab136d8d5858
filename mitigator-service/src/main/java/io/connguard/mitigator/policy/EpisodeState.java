package io.connguard.mitigator.policy;

import java.time.Instant;
import java.util.List;
import java.util.Map;

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
        List<String> recentEventIds) {

    public enum Phase {
        IDLE,
        MITIGATING,
        RECOVERING
    }

    public EpisodeState {
        phase = phase == null ? Phase.IDLE : phase;
        applied = applied == null ? List.of() : List.copyOf(applied);
        lastActionAt = lastActionAt == null ? Map.of() : Map.copyOf(lastActionAt);
        recentActions = recentActions == null ? List.of() : List.copyOf(recentActions);
        recentSignals = recentSignals == null ? List.of() : List.copyOf(recentSignals);
        recentEventIds = recentEventIds == null ? List.of() : List.copyOf(recentEventIds);
    }

    public static EpisodeState idle() {
        return new EpisodeState(Phase.IDLE, null, 0, -1, null, 0, 0, null, null, null, null, null, 0, null, null);
    }

    EpisodeState withPhase(Phase p, int stepIndex, int stageIndex, Instant at, double baseline) {
        return new EpisodeState(
                p,
                incidentId,
                episode,
                stepIndex,
                at,
                baseline,
                stageIndex,
                null,
                applied,
                failedClosed,
                lastActionAt,
                recentActions,
                actionsInIncident,
                recentSignals,
                recentEventIds);
    }

    EpisodeState withOkSince(Instant at) {
        return new EpisodeState(
                phase,
                incidentId,
                episode,
                step,
                since,
                baselineRatio,
                stage,
                at,
                applied,
                failedClosed,
                lastActionAt,
                recentActions,
                actionsInIncident,
                recentSignals,
                recentEventIds);
    }

    EpisodeState withIncident(String incident, int episodeNumber, int actionsSoFar, String failed) {
        return new EpisodeState(
                phase,
                incident,
                episodeNumber,
                step,
                since,
                baselineRatio,
                stage,
                okSince,
                applied,
                failed,
                lastActionAt,
                recentActions,
                actionsSoFar,
                recentSignals,
                recentEventIds);
    }

    EpisodeState withActed(List<Integer> appliedSteps, Map<String, Instant> last, List<Instant> recent, int count) {
        return new EpisodeState(
                phase,
                incidentId,
                episode,
                step,
                since,
                baselineRatio,
                stage,
                okSince,
                appliedSteps,
                failedClosed,
                last,
                recent,
                count,
                recentSignals,
                recentEventIds);
    }

    EpisodeState withEffects(String failed, List<Instant> signals) {
        return new EpisodeState(
                phase,
                incidentId,
                episode,
                step,
                since,
                baselineRatio,
                stage,
                okSince,
                applied,
                failed,
                lastActionAt,
                recentActions,
                actionsInIncident,
                signals,
                recentEventIds);
    }

    EpisodeState withApplied(List<Integer> appliedSteps) {
        return new EpisodeState(
                phase,
                incidentId,
                episode,
                step,
                since,
                baselineRatio,
                stage,
                okSince,
                appliedSteps,
                failedClosed,
                lastActionAt,
                recentActions,
                actionsInIncident,
                recentSignals,
                recentEventIds);
    }

    EpisodeState withEventIds(List<String> ids) {
        return new EpisodeState(
                phase,
                incidentId,
                episode,
                step,
                since,
                baselineRatio,
                stage,
                okSince,
                applied,
                failedClosed,
                lastActionAt,
                recentActions,
                actionsInIncident,
                recentSignals,
                ids);
    }
}
