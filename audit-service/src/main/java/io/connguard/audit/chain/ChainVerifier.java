package io.connguard.audit.chain;

import io.connguard.audit.chain.ChainVerification.Anchor;
import io.connguard.audit.chain.ChainVerification.Mismatch;
import io.connguard.audit.chain.CheckpointLog.CheckpointsUnreadableException;
import io.connguard.events.ChainCheckpoint;
import io.connguard.events.CloudEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Recomputes a subject's hash chain row by row, in chain order, with the same SQL function the insert trigger uses
 * ({@code event_chain_hash}: the canonical form is the one jsonb renders, so only the database can produce it), then
 * compares it with the subject's latest published checkpoint ({@link CheckpointCheck}): the chain alone cannot show
 * that its newest rows were deleted. Streams the rows, so a long chain does not load into memory.
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
    private final CheckpointLog checkpoints;

    public ChainVerifier(DataSource dataSource, CheckpointLog checkpoints) {
        this.dataSource = dataSource;
        this.checkpoints = checkpoints;
    }

    /**
     * The verification of the subject's chain, compared with the subject's latest checkpoint; empty when the subject
     * has neither events nor a checkpoint.
     */
    public Optional<ChainVerification> verify(String subject) {
        Anchor anchor = null;
        String checkpointError = null;
        try {
            CloudEvent<ChainCheckpoint> latest = checkpoints.latest().get(subject);
            anchor = latest == null ? null : Anchor.of(latest);
        } catch (CheckpointsUnreadableException e) {
            // the chain's own links can still be checked; the answer says what could not be
            checkpointError = e.getMessage();
        }
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false); // a cursor: rows are fetched in chunks
            try (PreparedStatement query = connection.prepareStatement(RECOMPUTE)) {
                query.setFetchSize(1000);
                query.setString(1, subject);
                long rows = 0;
                long headPosition = 0;
                String headHash = null;
                String hashAtCheckpoint = null;
                Mismatch first = null;
                try (ResultSet r = query.executeQuery()) {
                    while (r.next()) {
                        rows++;
                        long position = r.getLong(1);
                        String stored = r.getString(4);
                        String expected = r.getString(5);
                        long previous = r.getLong(6);
                        headPosition = position;
                        headHash = stored;
                        if (anchor != null && position == anchor.chainPosition()) {
                            hashAtCheckpoint = stored;
                        }
                        if (first == null) {
                            first = mismatch(position, previous, stored, expected, r.getLong(2), r.getString(3));
                        }
                    }
                }
                connection.commit();
                if (rows == 0 && anchor == null) {
                    return Optional.empty();
                }
                if (first == null && anchor != null) {
                    first = CheckpointCheck.against(anchor, headPosition, hashAtCheckpoint)
                            .orElse(null);
                }
                return Optional.of(new ChainVerification(
                        subject, rows, first == null, headPosition, headHash, first, anchor, checkpointError));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot verify the chain of " + subject, e);
        }
    }

    // the row's own problem: a gap before it or a hash that its content and predecessor do not give
    private static Mismatch mismatch(
            long position, long previous, String stored, String expected, long seq, String eventId) {
        if (position != previous + 1) {
            return new Mismatch(
                    position,
                    seq,
                    eventId,
                    "positions " + (previous + 1) + " to " + (position - 1) + " are missing before this row",
                    stored,
                    expected,
                    previous + 1,
                    position - 1);
        }
        if (!stored.equals(expected)) {
            return new Mismatch(
                    position,
                    seq,
                    eventId,
                    "the stored hash does not match the row's content and its predecessor's hash",
                    stored,
                    expected,
                    null,
                    null);
        }
        return null;
    }
}
