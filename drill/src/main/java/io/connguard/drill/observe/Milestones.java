package io.connguard.drill.observe;

import io.connguard.events.ActionEvent;
import io.connguard.events.Level;
import io.connguard.events.Outcome;
import io.connguard.events.PressureChanged;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The drill's record of one loop: when the scenario started and when detection, the first action, relief and full
 * restoration happened. Pure: fed with timestamped observations (connection samples, pressure and action events) by
 * one thread at a time (callers synchronise), no I/O, no clock of its own.
 *
 * <p>"Back under the threshold" is the first connection sample below the threshold after one at or above it, so a
 * scenario that never reached the threshold never counts as relieved. "Fully restored" needs the incident resolved
 * and every change connguard made undone: each {@code pause-ingestion} answered by a {@code resume-ingestion}, each
 * {@code scale-workload} or {@code shrink-pool} by a {@code restore-workload} of the same object.
 */
public final class Milestones {

    private final double threshold;
    private Instant onset;
    private Instant detected;
    private Instant firstAction;
    private Instant reachedThreshold;
    private Instant backUnder;
    private Instant relapse;
    private Instant incidentResolved;
    private Instant lastRestore;
    private String incidentId;
    private Level level = Level.OK;
    private double ratio;
    private int connections;
    private int usable;
    private ActionEvent lastAction;
    private final List<ActionEvent> actions = new ArrayList<>();
    // changes connguard made that are not undone yet, by "kind target"
    private final Map<String, Integer> outstanding = new HashMap<>();

    /** @param threshold usage ratio (connections / usable capacity) the incident must fall back under */
    public Milestones(double threshold) {
        this.threshold = threshold;
    }

    /** The scenario is injected now. Observations before this moment do not count as milestones. */
    public void onset(Instant at) {
        onset = at;
    }

    /** A connection sample read from {@code pg_stat_activity}. */
    public void sample(Instant at, int clientConnections, int usableCapacity) {
        connections = clientConnections;
        usable = usableCapacity;
        if (onset == null || usableCapacity <= 0) {
            return;
        }
        double sampleRatio = (double) clientConnections / usableCapacity;
        if (sampleRatio >= threshold && reachedThreshold == null) {
            reachedThreshold = at;
        } else if (sampleRatio < threshold && reachedThreshold != null && backUnder == null) {
            backUnder = at;
        } else if (sampleRatio >= threshold && backUnder != null && relapse == null) {
            relapse = at;
        }
    }

    /** A pressure event from the detector, at its CloudEvent time. */
    public void pressure(Instant at, PressureChanged event) {
        level = event.level();
        ratio = event.ratio();
        if (onset == null || at.isBefore(onset)) {
            return;
        }
        if (detected == null && event.level().isAbove(Level.OK)) {
            detected = at;
            incidentId = event.incidentId();
        }
        if (detected != null
                && incidentResolved == null
                && PressureChanged.REASON_INCIDENT_RESOLVED.equals(event.reason())
                && (incidentId == null || incidentId.equals(event.incidentId()))) {
            incidentResolved = at;
        }
    }

    /** An action event from the mitigator, at its CloudEvent time. */
    public void action(Instant at, ActionEvent event) {
        lastAction = event;
        if (ActionEvent.ACTION_NONE.equals(event.action())) {
            return;
        }
        if (onset == null || at.isBefore(onset)) {
            return;
        }
        actions.add(event);
        Instant started = event.startedAt() != null ? event.startedAt() : at;
        if (firstAction == null && isMitigation(event)) {
            firstAction = started;
        }
        String key = undoKey(event);
        if (key != null && event.outcome() == Outcome.SUCCEEDED) {
            outstanding.merge(key, 1, Integer::sum);
        } else if (event.outcome() == Outcome.REVERTED) {
            String undone = undoneKey(event);
            if (undone != null) {
                outstanding.computeIfPresent(undone, (k, n) -> n > 1 ? n - 1 : null);
            }
            lastRestore = at;
        }
    }

    private static boolean isMitigation(ActionEvent event) {
        return !event.action().startsWith("resume-")
                && !event.action().startsWith("restore-")
                && !ActionEvent.ACTION_NONE.equals(event.action())
                && !"notify".equals(event.action())
                && event.outcome() != Outcome.SKIPPED
                && event.outcome() != Outcome.NOOP
                && event.outcome() != Outcome.DRY_RUN; // recorded what it would do: nothing changed
    }

    private static String undoKey(ActionEvent event) {
        return switch (event.action()) {
            case "pause-ingestion" -> "ingestion";
            case "scale-workload", "shrink-pool" -> "workload " + target(event);
            default -> null;
        };
    }

    private static String undoneKey(ActionEvent event) {
        return switch (event.action()) {
            case "resume-ingestion" -> "ingestion";
            case "restore-workload" -> "workload " + target(event);
            default -> null;
        };
    }

    private static String target(ActionEvent event) {
        return event.command() == null || event.command().target() == null
                ? "?"
                : event.command().target();
    }

    public Optional<Instant> onsetTime() {
        return Optional.ofNullable(onset);
    }

    public Optional<Duration> toDetected() {
        return since(detected);
    }

    public Optional<Duration> toFirstAction() {
        return since(firstAction);
    }

    public Optional<Duration> toReachedThreshold() {
        return since(reachedThreshold);
    }

    public Optional<Duration> toBackUnder() {
        return since(backUnder);
    }

    /** When connections went back to the threshold after having fallen under it: what a careless restore causes. */
    public Optional<Instant> relapse() {
        return Optional.ofNullable(relapse);
    }

    public Optional<Duration> toIncidentResolved() {
        return since(incidentResolved);
    }

    /** When the incident resolved and every change connguard made was undone: the later of the two. */
    public Optional<Duration> toFullyRestored() {
        if (incidentResolved == null || firstAction == null || !outstanding.isEmpty()) {
            return Optional.empty();
        }
        Instant last = lastRestore != null && lastRestore.isAfter(incidentResolved) ? lastRestore : incidentResolved;
        return since(last);
    }

    /** Changes connguard made that are not undone yet ({@code "ingestion"}, {@code "workload starforge/etl-worker"}). */
    public List<String> outstandingChanges() {
        return List.copyOf(outstanding.keySet());
    }

    private Optional<Duration> since(Instant at) {
        return onset == null || at == null ? Optional.empty() : Optional.of(Duration.between(onset, at));
    }

    public Optional<String> incidentId() {
        return Optional.ofNullable(incidentId);
    }

    public Level level() {
        return level;
    }

    public double detectorRatio() {
        return ratio;
    }

    public int connections() {
        return connections;
    }

    public int usable() {
        return usable;
    }

    public double threshold() {
        return threshold;
    }

    public Optional<ActionEvent> lastAction() {
        return Optional.ofNullable(lastAction);
    }

    /** Every action event after onset except {@code none}, in arrival order. */
    public List<ActionEvent> actions() {
        return List.copyOf(actions);
    }
}
