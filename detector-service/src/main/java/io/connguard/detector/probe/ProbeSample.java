package io.connguard.detector.probe;

import io.connguard.events.BlockedSession;
import io.connguard.events.Capacity;
import io.connguard.events.ClientShare;
import io.connguard.events.Connections;
import io.connguard.events.IdleInTransaction;
import io.connguard.events.Pooler;
import io.connguard.events.SessionInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** One successful read of a target's connection state; {@code pooler} is null when none is configured or readable. */
public record ProbeSample(
        Instant sampledAt,
        double durationMs,
        Capacity capacity,
        Connections connections,
        List<ClientShare> topClients,
        List<SessionInfo> longestQueries,
        List<SessionInfo> oldestTransactions,
        IdleInTransaction idleInTransaction,
        List<BlockedSession> blocked,
        Pooler pooler) {

    /** Client connections over usable capacity; above 1.0 when superusers use their reserved slots. */
    public double ratio() {
        return capacity.usable() <= 0 ? 1.0 : (double) connections.total() / capacity.usable();
    }

    /** How long the oldest pooler client has been queued; zero when none waits or there is no pooler. */
    public Duration poolerWait() {
        if (pooler == null || pooler.clientsWaiting() == 0 || pooler.maxWaitMs() == null) {
            return Duration.ZERO;
        }
        return Duration.ofMillis(pooler.maxWaitMs());
    }

    public ProbeSample withPooler(Pooler pooler) {
        return new ProbeSample(
                sampledAt,
                durationMs,
                capacity,
                connections,
                topClients,
                longestQueries,
                oldestTransactions,
                idleInTransaction,
                blocked,
                pooler);
    }
}
