package io.connguard.audit.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.connguard.events.EventJson;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.sql.DataSource;

/** Reads the quarantine table. Blocking JDBC. */
@ApplicationScoped
public class QuarantineStore {

    private static final String LATEST = """
            SELECT id, kafka_topic, kafka_partition, kafka_offset, kafka_key, headers::text, value, reason,
                   quarantined_at
            FROM quarantine ORDER BY id DESC LIMIT ?
            """;

    private final DataSource dataSource;

    public QuarantineStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The most recently quarantined records, newest first. */
    public List<QuarantinedRecord> latest(int limit) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(LATEST)) {
            query.setInt(1, limit);
            List<QuarantinedRecord> records = new ArrayList<>();
            try (ResultSet r = query.executeQuery()) {
                while (r.next()) {
                    byte[] value = r.getBytes(7);
                    records.add(new QuarantinedRecord(
                            r.getLong(1),
                            r.getString(2),
                            r.getInt(3),
                            r.getLong(4),
                            r.getString(5),
                            EventJson.mapper().readTree(r.getString(6)),
                            value == null ? null : Base64.getEncoder().encodeToString(value),
                            r.getString(8),
                            r.getTimestamp(9).toInstant()));
                }
            }
            return records;
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("cannot read the quarantine", e);
        }
    }
}
