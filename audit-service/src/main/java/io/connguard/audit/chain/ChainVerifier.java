package io.connguard.audit.chain;

import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Recomputes a subject's hash chain row by row, in chain order, with the same SQL function the insert trigger uses
 * ({@code event_chain_hash}: the canonical form is the one jsonb renders, so only the database can produce it).
 * Streams the rows, so a long chain does not load into memory.
 */
@ApplicationScoped
public class ChainVerifier {

    private static final String RECOMPUTE = """
            SELECT chain_position, seq, event_id, encode(chain_hash, 'hex'),
                   encode(event_chain_hash(lag(chain_hash) OVER w, e), 'hex'),
                   lag(chain_position) OVER w
            FROM event e
            WHERE subject = ?
            WINDOW w AS (ORDER BY chain_position)
            ORDER BY chain_position
            """;

    private final DataSource dataSource;

    public ChainVerifier(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The verification of the subject's chain; empty when the subject has no events. */
    public Optional<ChainVerification> verify(String subject) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false); // a cursor: rows are fetched in chunks
            try (PreparedStatement query = connection.prepareStatement(RECOMPUTE)) {
                query.setFetchSize(1000);
                query.setString(1, subject);
                long rows = 0;
                long headPosition = 0;
                String headHash = null;
                ChainVerification.Mismatch first = null;
                try (ResultSet r = query.executeQuery()) {
                    while (r.next()) {
                        rows++;
                        long position = r.getLong(1);
                        String stored = r.getString(4);
                        String expected = r.getString(5);
                        long previous = r.getLong(6);
                        headPosition = position;
                        headHash = stored;
                        if (first == null) {
                            String reason = reason(position, previous, stored, expected);
                            if (reason != null) {
                                first = new ChainVerification.Mismatch(
                                        position, r.getLong(2), r.getString(3), reason, stored, expected);
                            }
                        }
                    }
                }
                connection.commit();
                return rows == 0
                        ? Optional.empty()
                        : Optional.of(
                                new ChainVerification(subject, rows, first == null, headPosition, headHash, first));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot verify the chain of " + subject, e);
        }
    }

    // previous is 0 for the first row (SQL null)
    private static String reason(long position, long previous, String stored, String expected) {
        if (position != previous + 1) {
            return "positions " + (previous + 1) + " to " + (position - 1) + " are missing before this row";
        }
        if (!stored.equals(expected)) {
            return "the stored hash does not match the row's content and its predecessor's hash";
        }
        return null;
    }
}
