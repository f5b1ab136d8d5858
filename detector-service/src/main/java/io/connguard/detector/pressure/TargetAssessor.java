package io.connguard.detector.pressure;

import io.connguard.detector.incident.IncidentTracker;
import io.connguard.detector.incident.OpenIncident;
import io.connguard.detector.probe.ProbeSample;
import io.connguard.events.Level;
import io.connguard.events.PressureChanged;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Turns a target's probe results into the pressure events to publish: one on every level change, on incident open
 * and resolve, one for the first sample (reason {@code started}, unless one of those applies), a periodic update every
 * {@code periodicUpdate} while the target is not OK or an incident is open (the hold before it resolves included), and
 * a heartbeat every {@code heartbeat} otherwise. So a target is never silent for longer than {@code heartbeat} while
 * the detector lives. Pure; each target's monitor owns one.
 */
public final class TargetAssessor {

    private final String targetId;
    private final LevelStateMachine levels;
    private final IncidentTracker incidents;
    private final Duration periodicUpdate;
    private final Duration heartbeat;
    private Instant lastPublished;
    private ProbeSample lastSample;
    private PressureChanged last;

    public TargetAssessor(
            String targetId, LevelRules rules, IncidentTracker incidents, Duration periodicUpdate, Duration heartbeat) {
        this.targetId = targetId;
        this.levels = new LevelStateMachine(rules);
        this.incidents = incidents;
        this.periodicUpdate = periodicUpdate;
        this.heartbeat = heartbeat;
    }

    /**
     * Continues the incident a previous run of the detector left open, at the level it had reached: the next events
     * carry its id and onset, and it resolves after the usual OK hold. Call before the first sample.
     */
    public void restore(OpenIncident open) {
        levels.restore(open.level());
        incidents.restore(open);
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
        } else if (lastPublished == null) {
            // consumers learn the state of every target, and that the detector is alive, right after it starts
            reason = PressureChanged.REASON_STARTED;
            due = true;
        } else {
            boolean quiet = transition.level() == Level.OK && incident.incidentId() == null;
            reason = quiet ? PressureChanged.REASON_HEARTBEAT : PressureChanged.REASON_PERIODIC;
            due = !now.isBefore(lastPublished.plus(quiet ? heartbeat : periodicUpdate));
        }
        last = event(transition, reason, incident, now, sample, error);
        if (!due) {
            return Optional.empty();
        }
        lastPublished = now;
        return Optional.of(last);
    }

    private PressureChanged event(
            LevelStateMachine.Transition transition,
            String reason,
            IncidentTracker.Update incident,
            Instant now,
            ProbeSample sample,
            String error) {
        // a refused probe still knows the capacity from its last sample; the counts it could not read
        var capacity = sample != null
                ? sample.capacity()
                : lastSample != null && transition.level() != Level.UNKNOWN ? lastSample.capacity() : null;
        return new PressureChanged(
                targetId,
                incident.incidentId(),
                incident.startedAt(),
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
