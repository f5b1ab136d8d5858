package io.connguard.audit.incident;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The material of a postmortem draft, derived from an incident's timeline: the milestones, the top clients at the
 * peak, every command run with its outcome, and the follow-up checklist.
 *
 * @param incident the incident
 * @param milestones onset, detection, first action, back under the threshold, resolution (those that happened)
 * @param peakAt time of the pressure event with the highest ratio
 * @param topClientsAtPeak that event's {@code topClients}, biggest first
 * @param commands one per action with a command, in the order the actions started, with its latest outcome
 * @param timeline every event in time order
 * @param followUps the runbook's permanent remediation items, to be triaged
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Postmortem(
        Incident incident,
        List<Milestone> milestones,
        Instant peakAt,
        List<JsonNode> topClientsAtPeak,
        List<CommandRun> commands,
        List<TimelineEntry> timeline,
        List<String> followUps) {

    /** A moment of the incident and its distance from the onset. */
    public record Milestone(String name, Instant at, long sinceOnsetMs) {}

    /**
     * A command an action ran (or, in dry-run, would have run).
     *
     * @param decidedBy the policy step that decided it, and the mode: what approved it
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CommandRun(
            String actionId,
            String action,
            String decidedBy,
            String system,
            String text,
            String target,
            String outcome,
            Instant at,
            Long durationMs,
            String reason,
            String error,
            Long causedBySeq) {}

    public static Postmortem of(Timeline timeline, List<String> followUps) {
        Incident incident = timeline.incident();
        List<Milestone> milestones = new ArrayList<>();
        milestone(milestones, incident, "Onset (first sample above the threshold)", incident.openedAt());
        milestone(milestones, incident, "Detected (pressure event published)", incident.detectedAt());
        milestone(milestones, incident, "First action", incident.firstActionAt());
        milestone(milestones, incident, "Back under the threshold", incident.mitigatedAt());
        milestone(milestones, incident, "Resolved", incident.resolvedAt());

        Instant peakAt = null;
        List<JsonNode> topClients = List.of();
        Map<String, CommandRun> commands = new LinkedHashMap<>();
        for (TimelineEntry entry : timeline.entries()) {
            if (incident.peakSeq() != null && entry.seq() == incident.peakSeq()) {
                peakAt = entry.time();
                List<JsonNode> clients = new ArrayList<>();
                entry.data().path("topClients").forEach(clients::add);
                topClients = List.copyOf(clients);
            }
            if (entry.kind() == TimelineEntry.Kind.ACTION
                    && entry.command() != null
                    && !"none".equals(entry.command().path("system").asText())) {
                commands.put(entry.actionId(), command(entry, commands.get(entry.actionId())));
            }
        }
        return new Postmortem(
                incident,
                List.copyOf(milestones),
                peakAt,
                topClients,
                List.copyOf(commands.values()),
                timeline.entries(),
                List.copyOf(followUps));
    }

    // the latest event of an action carries its outcome; the first one when it started
    private static CommandRun command(TimelineEntry entry, CommandRun earlier) {
        JsonNode d = entry.data();
        Instant started = Timeline.instant(d, "startedAt");
        Instant at =
                earlier != null && earlier.at() != null ? earlier.at() : (started != null ? started : entry.time());
        Long duration = d.hasNonNull("durationMs") ? d.get("durationMs").asLong() : null;
        String decidedBy = (entry.policyStep() == null ? "policy" : "policy step " + entry.policyStep()) + " ("
                + entry.mode() + ")";
        return new CommandRun(
                entry.actionId(),
                entry.action(),
                decidedBy,
                Timeline.text(entry.command(), "system"),
                Timeline.text(entry.command(), "text"),
                Timeline.text(entry.command(), "target"),
                entry.outcome(),
                at,
                duration,
                entry.reason(),
                entry.error(),
                entry.causedBySeq());
    }

    private static void milestone(List<Milestone> milestones, Incident incident, String name, Instant at) {
        if (at != null) {
            milestones.add(new Milestone(name, at, incident.sinceOnset(at)));
        }
    }
}
