package io.connguard.audit.store;

import io.connguard.audit.ingest.Batch;
import io.connguard.audit.ingest.IncomingEvent;
import io.connguard.audit.ingest.Quarantined;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Writes a batch in one transaction: one multi-row insert of its events (idempotent on source + id, chained per
 * subject by the table's trigger) and its quarantined records. When the transaction commits, every record of the batch
 * is durable, so the caller may commit the Kafka offsets. Blocking JDBC: call from worker threads only.
 */
@ApplicationScoped
public class EventWriter {

    private static final Logger LOG = Logger.getLogger(EventWriter.class);

    // Two statements, one round trip: first the chain locks of every subject of the batch, taken in one global order so
    // that concurrent writers cannot deadlock; then the rows. unnest keeps the batch order, so the events of one
    // subject are chained in their partition's order.
    // Keep them two statements: not one INSERT with the lock call in a CTE. PostgreSQL never evaluates a CTE the query
    // does not reference (no locks at all: the row trigger would then lock subjects in batch order, and writers could
    // deadlock), and one it does reference runs inside the INSERT, whose snapshot is taken before the locks are held.
    private static final String LOCK_SUBJECTS_AND_INSERT_EVENTS = """
            SELECT event_lock_subjects(?::text[]);
            INSERT INTO event (event_id, source, type, subject, time, incident_id, data,
                               kafka_topic, kafka_partition, kafka_offset)
            SELECT u.event_id, u.source, u.type, u.subject, u.time::timestamptz, u.incident_id, u.data::jsonb,
                   u.kafka_topic, u.kafka_partition, u.kafka_offset
            FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                        ?::text[], ?::int[], ?::bigint[])
                 AS u(event_id, source, type, subject, time, incident_id, data,
                      kafka_topic, kafka_partition, kafka_offset)
            ON CONFLICT ON CONSTRAINT event_identity DO NOTHING
            """;

    private static final String INSERT_QUARANTINE = """
            INSERT INTO quarantine (kafka_topic, kafka_partition, kafka_offset, kafka_key, headers, value, reason)
            VALUES (?, ?, ?, ?, ?::jsonb, ?, ?)
            ON CONFLICT ON CONSTRAINT quarantine_position DO NOTHING
            """;

    private final DataSource dataSource;

    public EventWriter(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Stores the batch. An event the database refuses as data (SQLSTATE class 22, e.g. a JSON string with a NUL
     * character, which jsonb cannot hold) is quarantined with the database's reason instead; any other failure is
     * thrown and nothing of the batch is stored.
     */
    public WriteResult write(Batch batch) throws SQLException {
        try {
            return inTransaction(batch.events(), batch.quarantined());
        } catch (SQLException e) {
            if (!isDataException(e)) {
                throw e;
            }
            LOG.warnf("the database refused an event of a batch of %d (%s); storing them one by one", batch.size(), e);
            return oneByOne(batch);
        }
    }

    private WriteResult oneByOne(Batch batch) throws SQLException {
        int stored = 0;
        int duplicates = 0;
        List<Quarantined> quarantined = new ArrayList<>(batch.quarantined());
        for (IncomingEvent event : batch.events()) {
            try {
                WriteResult one = inTransaction(List.of(event), List.of());
                stored += one.stored();
                duplicates += one.duplicates();
            } catch (SQLException e) {
                if (!isDataException(e)) {
                    throw e;
                }
                quarantined.add(event.raw().quarantine("rejected by the database: " + firstLine(e.getMessage())));
            }
        }
        WriteResult rest = inTransaction(List.of(), quarantined);
        return new WriteResult(stored, duplicates, rest.quarantined());
    }

    private WriteResult inTransaction(List<IncomingEvent> events, List<Quarantined> quarantined) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                int stored = events.isEmpty() ? 0 : insertEvents(connection, events);
                int kept = quarantined.isEmpty() ? 0 : insertQuarantined(connection, quarantined);
                connection.commit();
                return new WriteResult(stored, events.size() - stored, kept);
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    private static int insertEvents(Connection connection, List<IncomingEvent> events) throws SQLException {
        int n = events.size();
        String[] ids = new String[n];
        String[] sources = new String[n];
        String[] types = new String[n];
        String[] subjects = new String[n];
        String[] times = new String[n];
        String[] incidents = new String[n];
        String[] data = new String[n];
        String[] topics = new String[n];
        Integer[] partitions = new Integer[n];
        Long[] offsets = new Long[n];
        for (int i = 0; i < n; i++) {
            IncomingEvent e = events.get(i);
            ids[i] = e.event().id();
            sources[i] = e.event().source().toString();
            types[i] = e.event().type();
            subjects[i] = e.event().subject();
            times[i] = DateTimeFormatter.ISO_INSTANT.format(e.event().time());
            incidents[i] = e.incidentId();
            data[i] = e.json();
            topics[i] = e.position().topic();
            partitions[i] = e.position().partition();
            offsets[i] = e.position().offset();
        }
        try (PreparedStatement insert = connection.prepareStatement(LOCK_SUBJECTS_AND_INSERT_EVENTS)) {
            insert.setArray(
                    1,
                    connection.createArrayOf(
                            "text", Arrays.stream(subjects).distinct().toArray(String[]::new)));
            insert.setArray(2, connection.createArrayOf("text", ids));
            insert.setArray(3, connection.createArrayOf("text", sources));
            insert.setArray(4, connection.createArrayOf("text", types));
            insert.setArray(5, connection.createArrayOf("text", subjects));
            insert.setArray(6, connection.createArrayOf("text", times));
            insert.setArray(7, connection.createArrayOf("text", incidents));
            insert.setArray(8, connection.createArrayOf("text", data));
            insert.setArray(9, connection.createArrayOf("text", topics));
            insert.setArray(10, connection.createArrayOf("int4", partitions));
            insert.setArray(11, connection.createArrayOf("int8", offsets));
            insert.execute(); // the locks' (empty) result
            insert.getMoreResults(); // then the insert's row count
            return insert.getUpdateCount();
        }
    }

    private static int insertQuarantined(Connection connection, List<Quarantined> quarantined) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(INSERT_QUARANTINE)) {
            for (Quarantined q : quarantined) {
                insert.setString(1, q.record().position().topic());
                insert.setInt(2, q.record().position().partition());
                insert.setLong(3, q.record().position().offset());
                insert.setString(4, q.record().key());
                insert.setString(5, q.record().headers().toString());
                insert.setBytes(6, q.record().value());
                insert.setString(7, q.reason());
                insert.addBatch();
            }
            int kept = 0;
            for (int count : insert.executeBatch()) {
                kept += Math.max(count, 0);
            }
            return kept;
        }
    }

    private static boolean isDataException(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("22");
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no detail";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
