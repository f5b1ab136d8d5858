package io.connguard.audit.incident;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Renders a timeline as CSV (RFC 4180: comma separated, CRLF line ends, fields quoted when needed). Producers choose
 * most of the text (event ids and types, actions, reasons, commands), so a cell a spreadsheet would evaluate as a
 * formula is written as text (OWASP "CSV Injection"): a single quote before it, and the cell quoted.
 */
public final class TimelineCsv {

    // what a spreadsheet reads as the start of a formula
    private static final String FORMULA_STARTS = "=+-@\t\r";
    // a plain number (a negative time since the onset) is no formula and must stay a number
    private static final Pattern NUMBER = Pattern.compile("-?[0-9]+(\\.[0-9]+)?(E-?[0-9]+)?");

    private static final List<String> HEADER = List.of(
            "seq",
            "time",
            "since_onset_ms",
            "kind",
            "type",
            "level",
            "ratio",
            "connections",
            "capacity",
            "action_id",
            "action",
            "outcome",
            "mode",
            "command",
            "caused_by_seq",
            "summary",
            "id");

    private TimelineCsv() {}

    public static String render(Timeline timeline) {
        StringBuilder csv = new StringBuilder();
        line(csv, HEADER);
        for (TimelineEntry e : timeline.entries()) {
            line(
                    csv,
                    List.of(
                            Long.toString(e.seq()),
                            e.time().toString(),
                            Long.toString(e.sinceOnsetMs()),
                            e.kind().name(),
                            e.type(),
                            str(e.level()),
                            str(e.ratio()),
                            str(e.connections()),
                            str(e.capacity()),
                            str(e.actionId()),
                            str(e.action()),
                            str(e.outcome()),
                            str(e.mode()),
                            e.command() == null ? "" : e.command().path("text").asText(""),
                            str(e.causedBySeq()),
                            e.summary(),
                            e.id()));
        }
        return csv.toString();
    }

    private static void line(StringBuilder csv, List<String> fields) {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                csv.append(',');
            }
            csv.append(field(fields.get(i)));
        }
        csv.append("\r\n");
    }

    private static String field(String value) {
        if (!value.isEmpty()
                && FORMULA_STARTS.indexOf(value.charAt(0)) >= 0
                && !NUMBER.matcher(value).matches()) {
            return quoted("'" + value);
        }
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
            return value;
        }
        return quoted(value);
    }

    private static String quoted(String value) {
        return '"' + value.replace("\"", "\"\"") + '"';
    }

    private static String str(Object value) {
        return value == null ? "" : value.toString();
    }
}
