package io.connguard.detector.pressure;

import io.connguard.detector.incident.IncidentTracker;
import io.connguard.detector.probe.ProbeSample;
import io.connguard.events.Level;
import io.connguard.events.PressureChanged;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Turns a target's probe results into the pressure events to publish: one on every level change, on incident open
 * and resolve, and a periodic update while the target is not OK. Pure; each target's monitor owns one.
 */
public final class TargetAssessor {

    private final String targetId;
    private final LevelStateMachine levels;
    private final IncidentTracker incidents;
    private final Duration periodicUpdate;
    private Instant lastPublished;
    private ProbeSample lastSample;
    private PressureChanged last;

    public TargetAssessor(String targetId, LevelRules rules, IncidentTracker incidents, Duration periodicUpdate) {
        this.targetId = targetId;
        this.levels = new LevelStateMachine(rules);
        this.incidents = incidents;
        this.periodicUpdate = periodicUpdate;
    }

    public Optional<PressureChanged> onSample(ProbeSample sample) {
        lastSample = sample;
        var transition =
                levels.observe(new Observation.Measured(sample.ratio(), sample.poolerWait()), sample.sampledAt());
        return decide(transition, sample.sampledAt(), sample, null);
    }

    public Optional<PressureChanged> onFailure(String error, boolean refused, Instant now) {
        Observation observation = refused ? new Observation.Refused(error) : new Observation.Failed(error);
        return decide(levels.observe(observation, now), now, null, error);
    }

    /** The last event built for this target, published or not; empty before the first probe. */
    public Optional<PressureChanged> last() {
        return Optional.ofNullable(last);
    }

    private Optional<PressureChanged> decide(
            LevelStateMachine.Transition transition, Instant now, ProbeSample sample, String error) {
        IncidentTracker.Update incident = incidents.observe(transition.level(), now);
        String reason = transition.reason();
        boolean due;
        if (incident.change() == IncidentTracker.Change.RESOLVED) {
            reason = PressureChanged.REASON_INCIDENT_RESOLVED;
            due = true;
        } else if (transition.changed() || incident.change() == IncidentTracker.Change.OPENED) {
            due = true;
        } else {
            due = transition.level() != Level.OK
                    && (lastPublished == null || !now.isBefore(lastPublished.plus(periodicUpdate)));
            reason = PressureChanged.REASON_PERIODIC;
        }
        last = event(transition, reason, incident.incidentId(), now, sample, error);
        if (!due) {
            return Optional.empty();
        }
        lastPublished = now;
        return Optional.of(last);
    }

    private PressureChanged event(
            LevelStateMachine.Transition transition,
            String reason,
            String incidentId,
            Instant now,
            ProbeSample sample,
            String error) {
        // a refused probe still knows the capacity from its last sample; the counts it could not read
        var capacity = sample != null
                ? sample.capacity()
                : lastSample != null && transition.level() != Level.UNKNOWN ? lastSample.capacity() : null;
        return new PressureChanged(
                targetId,
                incidentId,
                transition.level(),
                transition.previous(),
                transition.changed(),
                reason,
                sample == null ? now : sample.sampledAt(),
                sample == null ? null : sample.durationMs(),
                capacity,
                sample == null ? null : sample.connections(),
                sample == null ? 0.0 : sample.ratio(),
                sample == null ? List.of() : sample.topClients(),
                sample == null ? List.of() : sample.longestQueries(),
                sample == null ? List.of() : sample.oldestTransactions(),
                sample == null ? null : sample.idleInTransaction(),
                sample == null ? List.of() : sample.blocked(),
                sample == null ? null : sample.pooler(),
                error);
    }
}
