package io.connguard.drill.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A Markdown timeline of stored events, for audit services that do not serve a postmortem: one row per level change
 * and per action (periodic pressure updates and {@code none} decisions are left out), times relative to onset.
 */
public final class EventTimeline {

    private EventTimeline() {}

    public static String markdown(String targetId, JsonNode events, Instant onset) {
        List<String> rows = new ArrayList<>();
        int periodic = 0;
        int none = 0;
        for (JsonNode event : events) {
            JsonNode data = event.path("data");
            Instant time = Instant.parse(event.path("time").asText());
            String at = String.format("%+7.1f s", Duration.between(onset, time).toMillis() / 1000.0);
            if (event.path("type").asText().startsWith("io.connguard.pressure")) {
                if (!data.path("levelChanged").asBoolean()
                        && !"incident_resolved".equals(data.path("reason").asText())) {
                    periodic++;
                    continue;
                }
                rows.add(String.format(
                        "| %s | detector | %s -> %s | %s, %d/%d connections (%.0f %%) |",
                        at,
                        data.path("previousLevel").asText(),
                        data.path("level").asText(),
                        data.path("reason").asText(),
                        data.path("connections").path("total").asInt(),
                        data.path("capacity").path("usable").asInt(),
                        data.path("ratio").asDouble() * 100));
            } else {
                if ("none".equals(data.path("action").asText())) {
                    none++;
                    continue;
                }
                String detail = data.path("command").path("text").asText("");
                String why = data.hasNonNull("reason")
                        ? data.path("reason").asText()
                        : data.path("error").asText("");
                rows.add(String.format(
                        "| %s | mitigator | %s %s | %s%s |",
                        at,
                        data.path("action").asText(),
                        data.path("outcome").asText(),
                        detail.isEmpty() ? "" : "`" + detail + "`",
                        why.isEmpty() ? "" : (detail.isEmpty() ? "" : " ") + why));
            }
        }
        StringBuilder md = new StringBuilder();
        md.append("## Timeline of ").append(targetId).append(" (from GET /api/events)\n\n");
        md.append("| since onset | who | what | detail |\n|---:|---|---|---|\n");
        rows.forEach(row -> md.append(row).append('\n'));
        md.append('\n')
                .append(events.size())
                .append(" events stored; not shown: ")
                .append(periodic)
                .append(" periodic pressure updates, ")
                .append(none)
                .append(" decisions to do nothing.\n");
        return md.toString();
    }
}
