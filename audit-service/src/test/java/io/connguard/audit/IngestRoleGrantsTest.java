package io.connguard.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connguard.audit.ingest.Batch;
import io.connguard.audit.store.EventWriter;
import io.connguard.audit.store.WriteResult;
import io.connguard.events.CloudEvent;
import io.connguard.events.KafkaCloudEvents;
import io.connguard.events.Topics;
import io.connguard.infra.postgres.PostgresServer;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The grants DESIGN.md gives the service's role are enough to ingest a whole incident, and refuse any change to the
 * rows or the schema.
 */
@QuarkusTest
@WithTestResource(value = AuditTestInfra.class, scope = TestResourceScope.GLOBAL)
class IngestRoleGrantsTest {

    @Test
    void theIngestRoleCanOnlyAddAndReadRows() throws Exception {
        PostgresServer db = AuditTestInfra.database();
        for (String sql : List.of(
                "DROP ROLE IF EXISTS connguard_audit_ingest",
                "CREATE ROLE connguard_audit_ingest LOGIN PASSWORD 'ingest'",
                // exactly the grants of DESIGN.md
                "GRANT USAGE ON SCHEMA public TO connguard_audit_ingest",
                "GRANT SELECT, INSERT ON event, quarantine TO connguard_audit_ingest",
                "GRANT SELECT ON incident TO connguard_audit_ingest",
                "GRANT USAGE ON SEQUENCE event_seq_seq, quarantine_id_seq TO connguard_audit_ingest")) {
            db.execute("audit", sql);
        }
        PGSimpleDataSource asIngest = new PGSimpleDataSource();
        asIngest.setURL(db.jdbcUrl("audit"));
        asIngest.setUser("connguard_audit_ingest");
        asIngest.setPassword("ingest");

        IncidentScenario incident = new IncidentScenario("grants-db", Instant.parse("2026-04-01T00:00:00Z"), 2);
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        long offset = 0;
        for (CloudEvent<?> event : incident.events) {
            ProducerRecord<String, byte[]> r = KafkaCloudEvents.toRecord(Topics.PRESSURE, event);
            records.add(consumed(r, offset++));
        }
        records.add(consumed(new ProducerRecord<>(Topics.PRESSURE, "grants-db", "not json".getBytes()), offset));

        WriteResult result = new EventWriter(asIngest).write(Batch.decode(records));

        assertThat(result.stored()).isEqualTo(incident.events.size());
        assertThat(result.quarantined()).isEqualTo(1);
        try (Connection c = asIngest.getConnection();
                Statement s = c.createStatement()) {
            var r = s.executeQuery(
                    "SELECT event_count, action_count FROM incident WHERE incident_id = '" + incident.incidentId + "'");
            assertThat(r.next()).isTrue();
            assertThat(r.getInt(1)).isEqualTo(incident.events.size());
            assertThat(r.getInt(2)).isEqualTo(7);
            assertThatThrownBy(() -> s.execute("UPDATE event SET data = '{}' WHERE subject = 'grants-db'"))
                    .hasMessageContaining("permission denied");
            assertThatThrownBy(() -> s.execute("DELETE FROM quarantine")).hasMessageContaining("permission denied");
            assertThatThrownBy(() -> s.execute("UPDATE incident SET action_count = 0"))
                    .hasMessageContaining("permission denied");
            // nor change the schema: only the owner, in the migration step, does
            assertThatThrownBy(() -> s.execute("DROP TABLE event")).hasMessageContaining("must be owner");
            assertThatThrownBy(() -> s.execute("ALTER TABLE event DISABLE TRIGGER event_append_only"))
                    .hasMessageContaining("must be owner");
            assertThatThrownBy(() -> s.execute("ALTER TABLE event ADD COLUMN forged text"))
                    .hasMessageContaining("must be owner");
        }
    }

    private static ConsumerRecord<String, byte[]> consumed(ProducerRecord<String, byte[]> record, long offset) {
        ConsumerRecord<String, byte[]> consumed =
                new ConsumerRecord<>("connguard.grants-check", 0, offset, record.key(), record.value());
        record.headers().forEach(h -> consumed.headers().add(h));
        return consumed;
    }
}
