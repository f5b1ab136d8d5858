package io.connguard.audit;

import static io.connguard.audit.Api.writer;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.connguard.events.ActionEvent;
import io.connguard.events.CloudEvent;
import io.connguard.infra.kafka.TopicWriter;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(value = AuditTestInfra.class, scope = TestResourceScope.GLOBAL)
class IncidentApiTest {

    private static final Instant ONSET = Instant.parse("2026-03-14T09:26:50Z");
    private static IncidentScenario recorded;

    // once per class, but after Quarkus started and RestAssured knows its port
    @BeforeEach
    void recordAnIncident() {
        if (recorded != null) {
            return;
        }
        recorded = new IncidentScenario("orders-db", ONSET, 3);
        try (TopicWriter writer = writer()) {
            recorded.publish(writer);
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        given().get("/api/incidents/" + recorded.incidentId).statusCode() == 200
                                && incident().getInt("eventCount") == recorded.events.size());
    }

    @Test
    void theIncidentIsProjectedFromItsEvents() {
        JsonPath incident = incident();
        assertThat(incident.getString("target")).isEqualTo("orders-db");
        assertThat(incident.getString("status")).isEqualTo("RESOLVED");
        assertThat(incident.getString("peakLevel")).isEqualTo("CRITICAL");
        assertThat(incident.getDouble("peakRatio")).isEqualTo(95.0 / 97, org.assertj.core.api.Assertions.within(1e-6));
        assertThat(incident.getInt("actionCount"))
                .isEqualTo(recorded.actionCount())
                .isEqualTo(7);
        assertThat(Instant.parse(incident.getString("openedAt"))).isEqualTo(ONSET);
        assertThat(incident.getLong("timeToDetectMs")).isEqualTo(40);
        assertThat(incident.getLong("timeToFirstActionMs")).isEqualTo(150);
        assertThat(incident.getLong("timeToMitigateMs")).isEqualTo(9_000);
        assertThat(incident.getLong("timeToResolveMs")).isEqualTo(39_000);
    }

    @Test
    void theIncrementallyMaintainedRowEqualsARecomputationFromTheEvents() throws Exception {
        var db = AuditTestInfra.database();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl("audit"), db.superuser(), db.password());
                PreparedStatement q = c.prepareStatement("""
                        SELECT (i.*)::text, (f.*)::text
                        FROM incident i JOIN incident_facts(ARRAY[?]) f USING (incident_id)
                        """)) {
            q.setString(1, recorded.incidentId);
            try (ResultSet r = q.executeQuery()) {
                assertThat(r.next()).isTrue();
                assertThat(r.getString(1)).isEqualTo(r.getString(2));
            }
        }
    }

    @Test
    void theTimelineHasEveryEventInTimeOrderWithEachActionLinkedToItsCause() {
        JsonPath timeline = given().get("/api/incidents/" + recorded.incidentId + "/timeline")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(timeline.getList("entries.id")).containsExactlyElementsOf(recorded.ids());
        List<Map<String, Object>> entries = timeline.getList("entries");
        for (Map<String, Object> entry : entries) {
            if (entry.get("kind").equals("ACTION")) {
                Object cause = entries.stream()
                        .filter(e -> e.get("id").equals(entry.get("causationId")))
                        .findFirst()
                        .orElseThrow()
                        .get("seq");
                assertThat(entry.get("causedBySeq")).isEqualTo(cause);
            }
        }
        Map<String, Object> scaled = entries.stream()
                .filter(e -> e.get("id").equals(recorded.scaleSucceeded.id()))
                .findFirst()
                .orElseThrow();
        assertThat(scaled.get("outcome")).isEqualTo("SUCCEEDED");
        assertThat(scaled.get("summary").toString()).contains("deployments/etl-worker");
        assertThat(timeline.getInt("entries[0].connections")).isEqualTo(80);
        assertThat(timeline.getInt("entries[0].capacity")).isEqualTo(97);
    }

    @Test
    void thePostmortemDraftHasTheMilestonesEveryEventEveryCommandAndTheFollowUps() {
        String md = given().get("/api/incidents/" + recorded.incidentId + "/postmortem.md")
                .then()
                .statusCode(200)
                .contentType("text/markdown")
                .extract()
                .asString();
        assertThat(md).contains("# Postmortem draft: " + recorded.incidentId);
        assertThat(md)
                .contains(
                        "## Summary",
                        "## Milestones",
                        "## Timeline",
                        "## Top clients at the peak",
                        "## Commands run",
                        "## Follow-up");
        assertThat(md).contains("| Back under the threshold | 2026-03-14T09:26:59Z | +9.000s |");
        assertThat(md).contains("| etl-worker | etl | 10.0.4.17 | 60 | 62 % |");
        // every event, in order
        List<Long> seqs = given().get("/api/incidents/" + recorded.incidentId + "/timeline")
                .jsonPath()
                .getList("entries.seq", Long.class);
        int last = -1;
        for (long seq : seqs) {
            int at = md.indexOf("\n| " + seq + " | ");
            assertThat(at).as("timeline row of event %d", seq).isGreaterThan(last);
            last = at;
        }
        // every command with its outcome, the latest one for an action with several events
        assertThat(md).contains("`SELECT pg_cancel_backend(48211)` on 48211 (postgres) | SUCCEEDED");
        assertThat(md).contains("`SELECT pg_terminate_backend(48300)` on 48300 (postgres) | SKIPPED");
        assertThat(md)
                .contains("deployments/etl-worker scale {\"spec\":{\"replicas\":0}}` on starforge/etl-worker"
                        + " (kubernetes) | SUCCEEDED | policy step scale-workers (ENFORCE)");
        assertThat(md).doesNotContain("| PLANNED |");
        assertThat(md).contains("- [ ] Implement or tune a connection pooler (pgbouncer)");

        JsonPath json = given().get("/api/incidents/" + recorded.incidentId + "/postmortem")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(json.getList("commands")).hasSize(7);
        assertThat(json.getList("milestones.name")).hasSize(5);
        assertThat(json.getString("topClientsAtPeak[0].applicationName")).isEqualTo("etl-worker");
    }

    @Test
    void theTimelineExportsAsCsv() {
        String csv = given().get("/api/incidents/" + recorded.incidentId + "/timeline.csv")
                .then()
                .statusCode(200)
                .contentType("text/csv")
                .extract()
                .asString();
        String[] lines = csv.split("\r\n");
        assertThat(lines).hasSize(recorded.events.size() + 1);
        assertThat(lines[0]).startsWith("seq,time,since_onset_ms,kind");
        List<String> ids = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            ids.add(lines[i].substring(lines[i].lastIndexOf(',') + 1));
        }
        assertThat(ids).containsExactlyElementsOf(recorded.ids());
        // a command with a comma and quotes is one quoted field
        assertThat(csv).contains("\"PATCH apps/v1 deployments/etl-worker scale {\"\"spec\"\":{\"\"replicas\"\":0}}\"");
    }

    @Test
    void incidentsAreListedNewestFirstWithFiltersAndAKeysetCursor() {
        List<IncidentScenario> three = new ArrayList<>();
        try (TopicWriter writer = writer()) {
            for (int i = 0; i < 3; i++) {
                IncidentScenario s =
                        new IncidentScenario("page-db", Instant.parse("2026-05-0" + (i + 1) + "T12:00:00Z"), 0);
                s.publish(writer);
                three.add(s);
            }
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> given().queryParam("target", "page-db")
                                .get("/api/incidents")
                                .jsonPath()
                                .getList("items")
                                .size()
                        == 3);
        JsonPath first = given().queryParam("target", "page-db")
                .queryParam("limit", 2)
                .get("/api/incidents")
                .jsonPath();
        assertThat(first.getList("items.incidentId")).containsExactly(three.get(2).incidentId, three.get(1).incidentId);
        JsonPath second = given().queryParam("target", "page-db")
                .queryParam("limit", 2)
                .queryParam("cursor", first.getString("nextCursor"))
                .get("/api/incidents")
                .jsonPath();
        assertThat(second.getList("items.incidentId")).containsExactly(three.get(0).incidentId);
        assertThat(second.getString("nextCursor")).isNull();

        assertThat(given().queryParam("target", "page-db")
                        .queryParam("from", "2026-05-02T00:00:00Z")
                        .queryParam("to", "2026-05-03T00:00:00Z")
                        .get("/api/incidents")
                        .jsonPath()
                        .getList("items.incidentId"))
                .containsExactly(three.get(1).incidentId);
        assertThat(given().queryParam("level", "CRITICAL")
                        .get("/api/incidents")
                        .jsonPath()
                        .getList("items.incidentId"))
                .contains(recorded.incidentId);
        CloudEvent<ActionEvent> anyAction = recorded.firstAction;
        assertThat(anyAction.data().incidentId()).isEqualTo(recorded.incidentId);
    }

    @Test
    void clientErrorsAreProblems() {
        given().get("/api/incidents/no-such-incident")
                .then()
                .statusCode(404)
                .contentType("application/problem+json")
                .body("title", equalTo("Unknown incident"));
        given().get("/api/incidents/no-such-incident/postmortem.md")
                .then()
                .statusCode(404)
                .contentType("application/problem+json");
        given().queryParam("level", "PURPLE")
                .get("/api/incidents")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("title", equalTo("Invalid level"));
        given().queryParam("cursor", "bm90LWEtY3Vyc29y")
                .get("/api/incidents")
                .then()
                .statusCode(400)
                .body("title", equalTo("Invalid cursor"));
        given().queryParam("from", "yesterday")
                .get("/api/incidents")
                .then()
                .statusCode(400)
                .body("title", equalTo("Invalid from"));
        given().get("/api/no-such-thing").then().statusCode(404).contentType("application/problem+json");
    }

    private static JsonPath incident() {
        return given().get("/api/incidents/" + recorded.incidentId)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }
}
