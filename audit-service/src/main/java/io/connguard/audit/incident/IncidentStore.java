package io.connguard.audit.incident;

import io.connguard.events.Level;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** Reads the incident projection (table {@code incident}, maintained by the database on every event insert). */
@ApplicationScoped
public class IncidentStore {

    private static final String COLUMNS = """
            SELECT incident_id, target, opened_at, detected_at, first_action_at, mitigated_at, resolved_at,
                   peak_rank, peak_ratio, peak_seq, action_count, event_count, last_event_at
            FROM incident
            """;

    private final DataSource dataSource;

    public IncidentStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Optional<Incident> find(String incidentId) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(COLUMNS + " WHERE incident_id = ?")) {
            query.setString(1, incidentId);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? Optional.of(map(rows)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read incident " + incidentId, e);
        }
    }

    /** One page of incidents, newest first; only the filters that are set become SQL, so the indexes apply. */
    public IncidentPage list(IncidentQuery q) {
        StringBuilder sql = new StringBuilder(COLUMNS).append(" WHERE true");
        List<Object> parameters = new ArrayList<>();
        if (q.target() != null) {
            sql.append(" AND target = ?");
            parameters.add(q.target());
        }
        if (q.from() != null) {
            sql.append(" AND opened_at >= ?");
            parameters.add(Timestamp.from(q.from()));
        }
        if (q.to() != null) {
            sql.append(" AND opened_at < ?");
            parameters.add(Timestamp.from(q.to()));
        }
        if (q.level() == Level.UNKNOWN) {
            sql.append(" AND peak_rank IS NULL");
        } else if (q.level() != null) {
            sql.append(" AND peak_rank >= ?");
            parameters.add(Incident.rank(q.level()));
        }
        if (q.after() != null) {
            sql.append(" AND (opened_at, incident_id) < (?, ?)");
            parameters.add(Timestamp.from(q.after().openedAt()));
            parameters.add(q.after().incidentId());
        }
        sql.append(" ORDER BY opened_at DESC, incident_id DESC LIMIT ?");
        parameters.add(q.limit() + 1);
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(sql.toString())) {
            for (int i = 0; i < parameters.size(); i++) {
                query.setObject(i + 1, parameters.get(i));
            }
            List<Incident> items = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    items.add(map(rows));
                }
            }
            if (items.size() <= q.limit()) {
                return new IncidentPage(items, null);
            }
            List<Incident> page = List.copyOf(items.subList(0, q.limit()));
            Incident last = page.get(page.size() - 1);
            return new IncidentPage(page, new Cursor(last.openedAt(), last.incidentId()).encode());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot list incidents", e);
        }
    }

    private static Incident map(ResultSet rows) throws SQLException {
        return new Incident(
                rows.getString(1),
                rows.getString(2),
                instant(rows, 3),
                instant(rows, 4),
                instant(rows, 5),
                instant(rows, 6),
                instant(rows, 7),
                Incident.level(rows.getObject(8, Integer.class)),
                rows.getObject(9, Double.class),
                rows.getObject(10, Long.class),
                rows.getInt(11),
                rows.getInt(12),
                instant(rows, 13));
    }

    private static Instant instant(ResultSet rows, int column) throws SQLException {
        Timestamp t = rows.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
