package io.connguard.audit.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import io.connguard.events.CloudEvent;
import io.connguard.events.EventJson;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

/** The append-only event table. Blocking JDBC: call from worker threads only. */
@ApplicationScoped
public class EventStore {

    private static final ObjectMapper JSON = EventJson.mapper();

    private static final String INSERT = """
            INSERT INTO event (event_id, source, type, subject, time, incident_id, data,
                               kafka_topic, kafka_partition, kafka_offset)
            VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?)
            ON CONFLICT ON CONSTRAINT event_identity DO NOTHING
            """;

    private static final String BY_SUBJECT = """
            SELECT seq, event_id, source, type, subject, time, incident_id, data::text,
                   kafka_topic, kafka_partition, kafka_offset
            FROM event WHERE subject = ? ORDER BY time, seq LIMIT ?
            """;

    private final AgroalDataSource dataSource;

    EventStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Stores the event unless its source + id is already stored; returns whether a row was added. */
    public boolean append(CloudEvent<JsonNode> event, String topic, int partition, long offset) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(INSERT)) {
            insert.setString(1, event.id());
            insert.setString(2, event.source().toString());
            insert.setString(3, event.type());
            insert.setString(4, event.subject());
            insert.setTimestamp(5, Timestamp.from(event.time()));
            JsonNode incident = event.data().get("incidentId");
            insert.setString(6, incident == null || incident.isNull() ? null : incident.asText());
            insert.setString(7, JSON.writeValueAsString(event.data()));
            insert.setString(8, topic);
            insert.setInt(9, partition);
            insert.setLong(10, offset);
            return insert.executeUpdate() == 1;
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("cannot store event " + event.id(), e);
        }
    }

    /** The events of one subject (target) in time order. */
    public List<StoredEvent> bySubject(String subject, int limit) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(BY_SUBJECT)) {
            query.setString(1, subject);
            query.setInt(2, limit);
            List<StoredEvent> events = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    events.add(new StoredEvent(
                            rows.getLong(1),
                            rows.getString(2),
                            rows.getString(3),
                            rows.getString(4),
                            rows.getString(5),
                            rows.getTimestamp(6).toInstant(),
                            rows.getString(7),
                            JSON.readTree(rows.getString(8)),
                            rows.getString(9),
                            rows.getInt(10),
                            rows.getLong(11)));
                }
            }
            return events;
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("cannot read events of " + subject, e);
        }
    }
}
