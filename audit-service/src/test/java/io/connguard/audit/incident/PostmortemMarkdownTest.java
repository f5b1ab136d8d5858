package io.connguard.audit.incident;

import static io.connguard.audit.incident.StoredEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.connguard.events.EventType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PostmortemMarkdownTest {

    // any client picks its application_name, so a pressure sample's top clients carry whatever it chose
    private static final String PEAK = """
            {"level": "CRITICAL", "ratio": 0.95, "connections": {"total": 95}, "capacity": {"usable": 100},
             "reason": "ratio_above_critical", "topClients": [
               {"applicationName": "![](https://x/p.png)", "user": "[x](javascript:alert(1))",
                "clientAddr": "<img src=x onerror=alert(1)>", "connections": 60, "shareOfCapacity": 0.6},
               {"applicationName": "a|b`c*d_e\\nf\\r~g~ &amp; #h \\\\", "user": "u", "connections": 5,
                "shareOfCapacity": 0.05}]}
            """;
    private static final String CANCEL = """
            {"actionId": "act-1", "action": "cancel-query", "outcome": "SUCCEEDED", "mode": "ENFORCE",
             "policyStep": "cancel", "causationId": "p-1", "reason": "protected: application ![](https://x/p.png)",
             "command": {"system": "postgres", "text": "SELECT `x` | y\\nz", "target": "48211"}}
            """;

    private final String md = PostmortemMarkdown.render(Postmortem.of(
            StoredEvents.timeline(
                    "inc-1 <script>",
                    "orders-db*",
                    List.of(
                            event(1, "p-1", EventType.PRESSURE_CHANGED.type(), 0, PEAK),
                            event(2, "a-1", EventType.ACTION.type(), 150, CANCEL))),
            List.of("Add a pooler (`pgbouncer`).")));

    @Test
    void clientChosenNamesAreShownLiterallyNeverAsImagesLinksHtmlOrFormatting() {
        assertThat(md.lines())
                .contains(
                        "# Postmortem draft: inc-1 \\<script\\>",
                        "- **Target:** orders-db\\*",
                        "| \\!\\[\\](https://x/p.png) | \\[x\\](javascript:alert(1)) | \\<img src=x onerror=alert(1)\\>"
                                + " | 60 | 60 % |",
                        "| a\\|b\\`c\\*d\\_e f \\~g\\~ \\&amp; \\#h \\\\ | u | local socket | 5 | 5 % |",
                        "| 2 | 2026-03-14T09:26:50.150Z | +0.150s | action cancel-query | cancel-query SUCCEEDED:"
                                + " SELECT \\`x\\` \\| y z - protected: application \\!\\[\\](https://x/p.png)"
                                + " (caused by \\#1) |",
                        "| 2026-03-14T09:26:50.150Z | cancel-query | ``SELECT `x` \\| y z`` on 48211 (postgres)"
                                + " | SUCCEEDED | policy step cancel (ENFORCE) | protected: application"
                                + " \\!\\[\\](https://x/p.png) |",
                        // the runbook's own items are Markdown written by us
                        "- [ ] Add a pooler (`pgbouncer`).");
    }

    @Test
    void everyRowOfEveryTableHasTheColumnsOfItsHeader() {
        List<List<String>> tables = new ArrayList<>();
        List<String> table = null;
        for (String line : md.lines().toList()) {
            if (!line.startsWith("|")) {
                table = null;
                continue;
            }
            if (table == null) {
                table = new ArrayList<>();
                tables.add(table);
            }
            table.add(line);
        }
        assertThat(tables).hasSize(4);
        for (List<String> rows : tables) {
            int columns = cells(rows.get(0));
            assertThat(rows).allSatisfy(row -> assertThat(cells(row)).as(row).isEqualTo(columns));
        }
    }

    // GFM splits a row at every pipe that is not backslash-escaped, inside code spans too
    private static int cells(String row) {
        int pipes = 0;
        for (int i = 0; i < row.length(); i++) {
            if (row.charAt(i) == '\\') {
                i++;
            } else if (row.charAt(i) == '|') {
                pipes++;
            }
        }
        return pipes - 1;
    }
}
