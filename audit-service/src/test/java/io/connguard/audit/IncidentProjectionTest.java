package io.connguard.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.connguard.infra.postgres.PostgresServer;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The incremental projection (V4) counts an action id once whichever insert brings its events, also when an earlier
 * insert already had one of them: checked at database level, one statement per event as separate polls would write
 * them, against {@code incident_facts}, which recomputes the incident from its events.
 */
@QuarkusTest
@WithTestResource(value = AuditTestInfra.class, scope = TestResourceScope.GLOBAL)
class IncidentProjectionTest {

    private static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");

    @Test
    void anActionWhoseEventsArriveInSeparateInsertsIsCountedOnce() throws Exception {
        String incident = "inc-proj-separate";
        try (Connection c = connect()) {
            insertAction(c, incident, "a1/PLANNED", "a1", "scale", "PLANNED", 1);
            assertProjection(c, incident, 1);
            insertAction(c, incident, "a1/SUCCEEDED", "a1", "scale", "SUCCEEDED", 2);
            assertProjection(c, incident, 1);
            insertAction(c, incident, "a1/none", "a1", "none", "NOOP", 3);
            assertProjection(c, incident, 1);
            // redelivered: the insert adds no row and changes nothing
            insertAction(c, incident, "a1/SUCCEEDED", "a1", "scale", "SUCCEEDED", 2);
            assertProjection(c, incident, 1);
            // another action id of the same incident is new
            insertAction(c, incident, "a2/SUCCEEDED", "a2", "cancel", "SUCCEEDED", 4);
            assertProjection(c, incident, 2);
            assertThat(eventCount(c, incident)).isEqualTo(4);
        }
    }

    @Test
    void anActionIdFirstSeenOnANoneEventIsCountedWhenItsFirstRealEventArrives() throws Exception {
        String incident = "inc-proj-none-first";
        try (Connection c = connect()) {
            insertAction(c, incident, "b1/none", "b1", "none", "NOOP", 1);
            assertProjection(c, incident, 0);
            insertAction(c, incident, "b1/PLANNED", "b1", "scale", "PLANNED", 2);
            assertProjection(c, incident, 1);
            insertAction(c, incident, "b1/SUCCEEDED", "b1", "scale", "SUCCEEDED", 3);
            assertProjection(c, incident, 1);
            insertAction(c, incident, "b1/none", "b1", "none", "NOOP", 1);
            assertProjection(c, incident, 1);
        }
    }

    @Test
    void eventsOfOneActionIdInOneInsertAfterAnEarlierOneAreCountedOnce() throws Exception {
        String incident = "inc-proj-mixed";
        try (Connection c = connect()) {
            insertAction(c, incident, "c1/PLANNED", "c1", "scale", "PLANNED", 1);
            // one statement with the rest of c1 (already counted) and all of c2 (new)
            insert(
                    c,
                    List.of(
                            action(incident, "c1/SUCCEEDED", "c1", "scale", "SUCCEEDED", 2),
                            action(incident, "c1/none", "c1", "none", "NOOP", 3),
                            action(incident, "c2/none", "c2", "none", "NOOP", 4),
                            action(incident, "c2/PLANNED", "c2", "terminate", "PLANNED", 5),
                            action(incident, "c2/SKIPPED", "c2", "terminate", "SKIPPED", 6)));
            assertProjection(c, incident, 2);
        }
    }

    // the maintained row equals the recomputation, and has the expected number of actions
    private static void assertProjection(Connection c, String incident, int actions) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("""
                SELECT (i.*)::text, (f.*)::text, i.action_count
                FROM incident i FULL JOIN incident_facts(ARRAY[?]) f USING (incident_id)
                WHERE incident_id = ?
                """)) {
            q.setString(1, incident);
            q.setString(2, incident);
            try (ResultSet r = q.executeQuery()) {
                assertThat(r.next()).as("incident %s", incident).isTrue();
                assertThat(r.getString(1)).as("maintained row").isEqualTo(r.getString(2));
                assertThat(r.getInt(3)).as("action count").isEqualTo(actions);
            }
        }
    }

    private static long eventCount(Connection c, String incident) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT event_count FROM incident WHERE incident_id = ?")) {
            q.setString(1, incident);
            try (ResultSet r = q.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    private static void insertAction(
            Connection c, String incident, String eventId, String actionId, String kind, String outcome, int second)
            throws SQLException {
        insert(c, List.of(action(incident, eventId, actionId, kind, outcome, second)));
    }

    private record Row(String incident, String eventId, String json, Instant time) {}

    private static Row action(
            String incident, String eventId, String actionId, String kind, String outcome, int second) {
        Instant at = T0.plusSeconds(second);
        String json = """
                {"actionId":"%s","targetId":"proj-db","incidentId":"%s","policyStep":"step","action":"%s",\
                "mode":"ENFORCE","outcome":"%s","reason":"r","startedAt":"%s","finishedAt":"%s"}""".formatted(actionId, incident, kind, outcome, at, at);
        return new Row(incident, eventId, json, at);
    }

    // one statement, as EventWriter writes a poll (idempotent on source + id)
    private static void insert(Connection c, List<Row> rows) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("""
                INSERT INTO event (event_id, source, type, subject, time, incident_id, data,
                                   kafka_topic, kafka_partition, kafka_offset)
                SELECT u.event_id, 'urn:connguard:test', 'io.connguard.action.v1', 'proj-db', u.time, u.incident_id,
                       u.data::jsonb, 'connguard.actions', 0, 0
                FROM unnest(?::text[], ?::timestamptz[], ?::text[], ?::text[]) AS u(event_id, time, incident_id, data)
                ON CONFLICT ON CONSTRAINT event_identity DO NOTHING
                """)) {
            insert.setArray(
                    1, c.createArrayOf("text", rows.stream().map(Row::eventId).toArray()));
            insert.setArray(
                    2,
                    c.createArrayOf(
                            "text", rows.stream().map(r -> r.time().toString()).toArray()));
            insert.setArray(
                    3, c.createArrayOf("text", rows.stream().map(Row::incident).toArray()));
            insert.setArray(
                    4, c.createArrayOf("text", rows.stream().map(Row::json).toArray()));
            insert.execute();
        }
    }

    private static Connection connect() throws SQLException {
        PostgresServer db = AuditTestInfra.database();
        return DriverManager.getConnection(db.jdbcUrl("audit"), db.superuser(), db.password());
    }
}
