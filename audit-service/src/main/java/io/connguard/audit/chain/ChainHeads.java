package io.connguard.audit.chain;

import io.connguard.events.ChainCheckpoint;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** The heads of the stored hash chains, for checkpoints. Blocking JDBC: call from worker threads only. */
@ApplicationScoped
public class ChainHeads {

    // the subjects that gained rows since a seq (primary key range), then each one's last row by the (subject,
    // chain_position) index: no scan of a long chain
    private static final String HEADS_CHANGED_SINCE = """
            SELECT h.subject, h.chain_position, encode(h.chain_hash, 'hex'), h.event_id, h.stored_at, s.max_seq
            FROM (SELECT subject, max(seq) AS max_seq FROM event WHERE seq > ? GROUP BY subject) s
            CROSS JOIN LATERAL (
                SELECT subject, chain_position, chain_hash, event_id, stored_at
                FROM event
                WHERE subject = s.subject
                ORDER BY chain_position DESC
                LIMIT 1) h
            """;

    private static final String HASH_AT = """
            SELECT encode(chain_hash, 'hex') FROM event WHERE subject = ? AND chain_position = ?
            """;

    private final DataSource dataSource;

    public ChainHeads(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The heads of the chains that gained rows with a {@code seq} above {@code seq}, and the highest such seq. */
    public Changes changedSince(long seq) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(HEADS_CHANGED_SINCE)) {
            query.setLong(1, seq);
            List<ChainCheckpoint> heads = new ArrayList<>();
            long maxSeq = seq;
            try (ResultSet r = query.executeQuery()) {
                while (r.next()) {
                    heads.add(new ChainCheckpoint(
                            r.getString(1),
                            r.getLong(2),
                            r.getString(3),
                            r.getString(4),
                            r.getTimestamp(5).toInstant()));
                    maxSeq = Math.max(maxSeq, r.getLong(6));
                }
            }
            return new Changes(heads, maxSeq);
        }
    }

    /** The stored hash (hex) of the subject's row at {@code position}, if that row is stored. */
    public Optional<String> hashAt(String subject, long position) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(HASH_AT)) {
            query.setString(1, subject);
            query.setLong(2, position);
            try (ResultSet r = query.executeQuery()) {
                return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
            }
        }
    }

    /** Heads of the chains that changed; {@code maxSeq}: the highest seq seen, where the next look starts. */
    public record Changes(List<ChainCheckpoint> heads, long maxSeq) {}
}
