package io.connguard.audit.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connguard.events.EventJson;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Reads the append-only event table. Blocking JDBC: call from worker threads only. */
@ApplicationScoped
public class EventStore {

    private static final ObjectMapper JSON = EventJson.mapper();

    private static final String COLUMNS = """
            seq, event_id, source, type, subject, time, incident_id, data::text,
            kafka_topic, kafka_partition, kafka_offset, stored_at, chain_position, encode(chain_hash, 'hex')
            """;

    private static final String BY_SUBJECT =
            "SELECT " + COLUMNS + " FROM event WHERE subject = ? ORDER BY time, seq LIMIT ?";

    // served by the index event_incident_time (incident_id, time, seq)
    private static final String BY_INCIDENT =
            "SELECT " + COLUMNS + " FROM event WHERE incident_id = ? ORDER BY time, seq LIMIT ?";

    private final DataSource dataSource;

    public EventStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The events of one subject (target) in time order. */
    public List<StoredEvent> bySubject(String subject, int limit) {
        return query(BY_SUBJECT, subject, limit);
    }

    /** The events of one incident in time order. */
    public List<StoredEvent> byIncident(String incidentId, int limit) {
        return query(BY_INCIDENT, incidentId, limit);
    }

    private List<StoredEvent> query(String sql, String key, int limit) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(sql)) {
            query.setString(1, key);
            query.setInt(2, limit);
            List<StoredEvent> events = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    events.add(map(rows));
                }
            }
            return events;
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("cannot read the events of " + key, e);
        }
    }

    private static StoredEvent map(ResultSet rows) throws SQLException, JsonProcessingException {
        return new StoredEvent(
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
                rows.getLong(11),
                rows.getTimestamp(12).toInstant(),
                rows.getLong(13),
                rows.getString(14));
    }
}
