package io.connguard.events;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Data of {@code io.connguard.pressure.changed.v1}: one pressure sample of a target and the level the
 * detector derived from it.
 *
 * <p>The detector publishes when the level changes ({@code levelChanged = true}); once per target right after it
 * starts ({@code reason = "started"} unless the level changed); periodically with the same level while the level
 * is not OK or an incident is open ({@code levelChanged = false}, {@code reason = "periodic"}); and, while the
 * target is OK with no incident open, at a slower heartbeat ({@code reason = "heartbeat"}). So a consumer hears
 * of every target at least once per heartbeat interval while the detector lives, and the silence of a target
 * means the detector (or its path to Kafka) is gone, not "no change". Consecutive events of a target are in
 * sample order on the partition.
 *
 * <p>When {@code level} is {@link Level#UNKNOWN} the probe failed: {@code error} is set and
 * {@code capacity}, {@code connections}, {@code idleInTransaction} and {@code pooler} are absent,
 * {@code ratio} is 0 and must be ignored, lists are empty. For every other level {@code capacity} and
 * {@code connections} are present.
 *
 * @param targetId monitored target; equals the event subject and Kafka key
 * @param incidentId incident this sample belongs to; absent when no incident is open (level OK with no
 *     incident being resolved). An incident id opens when a target leaves OK and stays the same until OK has
 *     held long enough to resolve it; the event that resolves it still carries the id. A restarted detector
 *     continues the incident it finds open on the topic, with the same id
 * @param incidentStartedAt when the incident opened: the {@code sampledAt} of the sample that opened it; set on
 *     every event that carries {@code incidentId}, absent otherwise (and on events of an incident opened by a
 *     detector that did not know this field yet)
 * @param level current level
 * @param previousLevel level of the previous event of this target; for the first event after the detector started
 *     {@code OK}, or the level of the last event before the restart when it continues that event's incident
 * @param levelChanged {@code true} when {@code level != previousLevel}; {@code false} for a periodic
 *     update, a heartbeat and a {@code started} event
 * @param reason machine-readable cause of this event: {@code ratio_above_elevated},
 *     {@code ratio_above_critical}, {@code connections_refused}, {@code pooler_waiting},
 *     {@code below_clear_threshold}, {@code probe_failed}, {@code periodic}, {@code incident_resolved}
 *     (the OK event that closes an incident), {@code started} (the detector's first event of the target after
 *     it started, when the level did not change), {@code heartbeat} (OK with no incident open, nothing
 *     changed); an open set
 * @param sampledAt when the detector started this sample (the detector's clock, UTC)
 * @param probeDurationMs how long the probe took; absent when it did not complete
 * @param capacity connection capacity; absent when level is UNKNOWN, may be absent when reason is
 *     {@code connections_refused}
 * @param connections backend counts; absent when level is UNKNOWN or reason is {@code connections_refused}
 * @param ratio {@code connections.total / capacity.usable}
 * @param topClients largest client groups, biggest first
 * @param longestQueries running statements, longest first
 * @param oldestTransactions open transactions, oldest first
 * @param idleInTransaction idle-in-transaction summary; absent when level is UNKNOWN
 * @param blocked lock waiters with their blockers; empty when nobody waits on a lock
 * @param pooler pooler state; absent when no pooler is configured for the target or level is UNKNOWN
 * @param error what went wrong when level is UNKNOWN or reason is {@code connections_refused}; absent otherwise
 */
public record PressureChanged(
        String targetId,
        String incidentId,
        Instant incidentStartedAt,
        Level level,
        Level previousLevel,
        boolean levelChanged,
        String reason,
        Instant sampledAt,
        Double probeDurationMs,
        Capacity capacity,
        Connections connections,
        double ratio,
        List<ClientShare> topClients,
        List<SessionInfo> longestQueries,
        List<SessionInfo> oldestTransactions,
        IdleInTransaction idleInTransaction,
        List<BlockedSession> blocked,
        Pooler pooler,
        String error)
        implements EventPayload {

    /** Reason of a periodic update while the level is not OK or an incident is open. */
    public static final String REASON_PERIODIC = "periodic";

    /** Reason of the detector's first event of a target after it started, when the level did not change. */
    public static final String REASON_STARTED = "started";

    /** Reason of the slower periodic event while the target is OK with no incident open: the detector is alive. */
    public static final String REASON_HEARTBEAT = "heartbeat";

    /** Reason of an UNKNOWN event. */
    public static final String REASON_PROBE_FAILED = "probe_failed";

    /** Reason of a CRITICAL event raised because the server refused the probe's connection (SQLSTATE 53300). */
    public static final String REASON_CONNECTIONS_REFUSED = "connections_refused";

    /** Reason of the OK event that resolves an incident after OK held; it still carries the incident id. */
    public static final String REASON_INCIDENT_RESOLVED = "incident_resolved";

    public PressureChanged {
        if (incidentId == null && incidentStartedAt != null) {
            throw new IllegalArgumentException("incidentStartedAt must not be set without incidentId");
        }
        if (targetId == null || targetId.isBlank()) {
            throw new IllegalArgumentException("targetId must not be blank");
        }
        Objects.requireNonNull(level, "level must not be null");
        Objects.requireNonNull(previousLevel, "previousLevel must not be null");
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("reason must not be blank");
        }
        Objects.requireNonNull(sampledAt, "sampledAt must not be null");
        if (!Double.isFinite(ratio) || ratio < 0) {
            throw new IllegalArgumentException("ratio must be a finite number >= 0: " + ratio);
        }
        if (level == Level.UNKNOWN) {
            if (error == null || error.isBlank()) {
                throw new IllegalArgumentException("error must be set when level is UNKNOWN");
            }
        } else if (REASON_CONNECTIONS_REFUSED.equals(reason)) {
            // refused before it could sample: exhaustion is certain, the counts are not known
            if (error == null || error.isBlank()) {
                throw new IllegalArgumentException("error must be set when reason is " + REASON_CONNECTIONS_REFUSED);
            }
        } else if (capacity == null || connections == null) {
            throw new IllegalArgumentException("capacity and connections must be set when level is " + level);
        }
        topClients = listOrEmpty(topClients);
        longestQueries = listOrEmpty(longestQueries);
        oldestTransactions = listOrEmpty(oldestTransactions);
        blocked = listOrEmpty(blocked);
    }

    /**
     * A sample without {@code incidentStartedAt}: the components before that field was added, so code written
     * against them keeps compiling (additive evolution).
     */
    public PressureChanged(
            String targetId,
            String incidentId,
            Level level,
            Level previousLevel,
            boolean levelChanged,
            String reason,
            Instant sampledAt,
            Double probeDurationMs,
            Capacity capacity,
            Connections connections,
            double ratio,
            List<ClientShare> topClients,
            List<SessionInfo> longestQueries,
            List<SessionInfo> oldestTransactions,
            IdleInTransaction idleInTransaction,
            List<BlockedSession> blocked,
            Pooler pooler,
            String error) {
        this(
                targetId,
                incidentId,
                null,
                level,
                previousLevel,
                levelChanged,
                reason,
                sampledAt,
                probeDurationMs,
                capacity,
                connections,
                ratio,
                topClients,
                longestQueries,
                oldestTransactions,
                idleInTransaction,
                blocked,
                pooler,
                error);
    }

    /**
     * A sample with only the required parts: no top clients, sessions, blockers, pooler or
     * idle-in-transaction summary. {@code ratio} and {@code levelChanged} are derived.
     */
    public static PressureChanged minimal(
            String targetId,
            String incidentId,
            Level level,
            Level previousLevel,
            String reason,
            Instant sampledAt,
            Capacity capacity,
            Connections connections) {
        Objects.requireNonNull(capacity, "capacity must not be null");
        Objects.requireNonNull(connections, "connections must not be null");
        double ratio = capacity.usable() > 0 ? (double) connections.total() / capacity.usable() : 0.0;
        return new PressureChanged(
                targetId,
                incidentId,
                level,
                previousLevel,
                level != previousLevel,
                reason,
                sampledAt,
                null,
                capacity,
                connections,
                ratio,
                List.of(),
                List.of(),
                List.of(),
                null,
                List.of(),
                null,
                null);
    }

    /** The event for a failed probe: level UNKNOWN, reason {@value #REASON_PROBE_FAILED}, no measurements. */
    public static PressureChanged unknown(
            String targetId, String incidentId, Level previousLevel, Instant sampledAt, String error) {
        return new PressureChanged(
                targetId,
                incidentId,
                Level.UNKNOWN,
                previousLevel,
                previousLevel != Level.UNKNOWN,
                REASON_PROBE_FAILED,
                sampledAt,
                null,
                null,
                null,
                0.0,
                List.of(),
                List.of(),
                List.of(),
                null,
                List.of(),
                null,
                error);
    }

    private static <E> List<E> listOrEmpty(List<E> list) {
        return list == null ? List.of() : List.copyOf(list);
    }
}
