package io.connguard.audit.incident;

import com.fasterxml.jackson.databind.JsonNode;
import io.connguard.audit.store.StoredEvent;
import io.connguard.events.EventType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every event of an incident in time order, each action linked to the pressure event that caused it (its
 * {@code data.causationId}).
 */
public record Timeline(Incident incident, List<TimelineEntry> entries) {

    /** The timeline of {@code incident} from its events, which must be in time order. */
    public static Timeline of(Incident incident, List<StoredEvent> events) {
        Map<String, Long> seqById = new HashMap<>();
        for (StoredEvent e : events) {
            seqById.putIfAbsent(e.id(), e.seq());
        }
        List<TimelineEntry> entries = new ArrayList<>(events.size());
        for (StoredEvent e : events) {
            entries.add(entry(incident, e, seqById));
        }
        return new Timeline(incident, List.copyOf(entries));
    }

    private static TimelineEntry entry(Incident incident, StoredEvent e, Map<String, Long> seqById) {
        JsonNode d = e.data();
        long sinceOnset = incident.sinceOnset(e.time());
        if (EventType.PRESSURE_CHANGED.type().equals(e.type())) {
            String level = text(d, "level");
            Double ratio = d.hasNonNull("ratio") ? d.get("ratio").asDouble() : null;
            Integer connections = integer(d.path("connections"), "total");
            Integer capacity = integer(d.path("capacity"), "usable");
            String reason = text(d, "reason");
            String summary =
                    level + (d.path("levelChanged").asBoolean() ? " (was " + text(d, "previousLevel") + ")" : "")
                            + (connections != null && capacity != null
                                    ? ": " + connections + "/" + capacity + " connections"
                                    : "")
                            + (ratio != null && !"UNKNOWN".equals(level)
                                    ? String.format(Locale.ROOT, ", ratio %.2f", ratio)
                                    : "")
                            + " - " + reason
                            + (d.hasNonNull("error") ? " (" + text(d, "error") + ")" : "");
            return new TimelineEntry(
                    e.seq(),
                    e.id(),
                    e.time(),
                    sinceOnset,
                    e.type(),
                    TimelineEntry.Kind.PRESSURE,
                    summary,
                    level,
                    ratio,
                    connections,
                    capacity,
                    instant(d, "sampledAt"),
                    reason,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    d);
        }
        if (EventType.ACTION.type().equals(e.type())) {
            String action = text(d, "action");
            String outcome = text(d, "outcome");
            JsonNode command = d.hasNonNull("command") ? d.get("command") : null;
            String causation = text(d, "causationId");
            String commandText = command == null ? "" : command.path("text").asText("");
            String summary = action + " " + outcome
                    + (commandText.isEmpty() ? "" : ": " + commandText)
                    + (d.hasNonNull("reason") ? " - " + text(d, "reason") : "")
                    + (d.hasNonNull("error") ? " (error: " + text(d, "error") + ")" : "");
            return new TimelineEntry(
                    e.seq(),
                    e.id(),
                    e.time(),
                    sinceOnset,
                    e.type(),
                    TimelineEntry.Kind.ACTION,
                    summary,
                    null,
                    null,
                    null,
                    null,
                    null,
                    text(d, "reason"),
                    text(d, "actionId"),
                    action,
                    outcome,
                    text(d, "mode"),
                    command,
                    text(d, "policyStep"),
                    causation,
                    causation == null ? null : seqById.get(causation),
                    text(d, "error"),
                    d);
        }
        return new TimelineEntry(
                e.seq(),
                e.id(),
                e.time(),
                sinceOnset,
                e.type(),
                TimelineEntry.Kind.OTHER,
                e.type(),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                d);
    }

    static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Integer integer(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.isNumber() ? null : value.asInt();
    }

    static Instant instant(JsonNode node, String field) {
        String text = text(node, field);
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
