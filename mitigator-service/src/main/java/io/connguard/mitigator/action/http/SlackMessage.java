package io.connguard.mitigator.action.http;

import io.connguard.events.ActionEvent;
import io.connguard.events.ClientShare;
import io.connguard.events.Outcome;
import io.connguard.events.PressureChanged;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The text of one Slack message for one action: its results (one per backend for a session step) summarised by
 * outcome, the first few in detail, bounded in length. Everything is escaped as Slack asks of incoming webhooks, since
 * application names, users and reasons come from database clients: {@code <!channel>} in an {@code application_name}
 * must not page a channel, nor {@code <https://x|click>} render as a link.
 */
final class SlackMessage {

    /** Results listed one per line; the rest are only counted. */
    static final int DETAILED = 5;

    /** Slack truncates long messages; well under its limit, with room for the summary line. */
    static final int MAX_CHARS = 3000;

    private SlackMessage() {}

    /**
     * The message for {@code results} (one action's, not empty), with the last pressure seen for the target (may be
     * null) and how many earlier messages the rate limit dropped.
     */
    static String text(List<ActionEvent> results, PressureChanged pressure, long suppressed) {
        ActionEvent first = results.get(0);
        StringBuilder sb = new StringBuilder("[connguard] ").append(first.targetId());
        if (first.incidentId() != null) {
            sb.append(" incident ").append(first.incidentId());
        }
        if (pressure != null) {
            sb.append(String.format(
                    " level %s (%.0f%% of usable connections)", pressure.level(), pressure.ratio() * 100));
        }
        sb.append(": ");
        if (results.size() == 1) {
            single(sb, first);
        } else {
            batch(sb, results);
        }
        if (pressure != null && !pressure.topClients().isEmpty()) {
            sb.append("\ntop clients: ")
                    .append(pressure.topClients().stream()
                            .limit(3)
                            .map(SlackMessage::client)
                            .collect(Collectors.joining(", ")));
        }
        if (suppressed > 0) {
            sb.append("\n(")
                    .append(suppressed)
                    .append(" earlier notification")
                    .append(suppressed == 1 ? " was" : "s were")
                    .append(" dropped by the rate limit; the audit trail has every action)");
        }
        return bounded(escape(sb.toString()));
    }

    private static void single(StringBuilder sb, ActionEvent a) {
        sb.append(a.action()).append(' ').append(a.outcome()).append(backend(a));
        step(sb, a);
        if (a.command() != null && !a.command().text().isEmpty()) {
            sb.append("\n`").append(a.command().text()).append('`');
        }
        if (a.reason() != null) {
            sb.append("\nreason: ").append(a.reason());
        }
        if (a.error() != null) {
            sb.append("\nerror: ").append(a.error());
        }
    }

    private static void batch(StringBuilder sb, List<ActionEvent> results) {
        ActionEvent first = results.get(0);
        Map<String, Long> counts = new TreeMap<>(results.stream()
                .collect(Collectors.groupingBy(a -> a.action() + " " + a.outcome(), Collectors.counting())));
        sb.append(counts.entrySet().stream()
                .map(e -> e.getValue() + " " + e.getKey())
                .collect(Collectors.joining(", ")));
        step(sb, first);
        results.stream().limit(DETAILED).forEach(a -> sb.append("\n• ").append(line(a)));
        if (results.size() > DETAILED) {
            sb.append("\n… and ").append(results.size() - DETAILED).append(" more");
        }
    }

    private static void step(StringBuilder sb, ActionEvent a) {
        if (a.policyStep() != null) {
            sb.append(" (step ")
                    .append(a.policyStep())
                    .append(", ")
                    .append(a.mode())
                    .append(')');
        }
    }

    // one backend's result: who it was and why, never the query
    private static String line(ActionEvent a) {
        StringBuilder sb =
                new StringBuilder(a.action()).append(' ').append(a.outcome()).append(backend(a));
        String why = a.outcome() == Outcome.FAILED && a.error() != null ? a.error() : a.reason();
        if (why != null) {
            sb.append(": ").append(why);
        }
        return sb.toString();
    }

    // the backend a session result is about, from its evidence; empty for any other action
    private static String backend(ActionEvent a) {
        if (a.evidence() == null || !a.evidence().has("pid")) {
            return "";
        }
        return " pid " + a.evidence().path("pid").asText() + " "
                + a.evidence().path("applicationName").asText("?") + "/"
                + a.evidence().path("user").asText("?");
    }

    private static String client(ClientShare c) {
        return (c.applicationName() == null ? "?" : c.applicationName()) + "/" + c.user() + " " + c.connections();
    }

    /**
     * Slack's escaping for message text (https://api.slack.com/reference/surfaces/formatting#escaping): the three
     * control characters, and nothing else, so the text reads as written.
     */
    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    // after escaping, so an entity is cut whole or not at all
    private static String bounded(String text) {
        if (text.length() <= MAX_CHARS) {
            return text;
        }
        int cut = MAX_CHARS - 1;
        int amp = text.lastIndexOf('&', cut);
        if (amp >= 0 && text.indexOf(';', amp) >= cut) {
            cut = amp;
        }
        return text.substring(0, cut) + "…";
    }
}
