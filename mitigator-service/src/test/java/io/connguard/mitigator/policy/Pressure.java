package io.connguard.mitigator.policy;

import io.connguard.events.Capacity;
import io.connguard.events.ClientShare;
import io.connguard.events.Connections;
import io.connguard.events.IdleInTransaction;
import io.connguard.events.Level;
import io.connguard.events.PressureChanged;
import java.time.Instant;
import java.util.List;

/** Pressure samples for tests: usable capacity 100, so {@code connections} is the ratio in percent. */
public final class Pressure {

    /** The mitigator's own sample of a full server: it confirms every claim. */
    public static final TargetReader FULL = () -> OwnSample.of(100, 100, Instant.now(), 0.5);

    /** The mitigator's own sample of a healthy server: it confirms no claim. */
    public static final TargetReader HEALTHY = () -> OwnSample.of(20, 100, Instant.now(), 0.5);

    private Pressure() {}

    public static PressureChanged sample(String target, String incident, Level level, int connections) {
        return sample(
                target, incident, level, connections, 0, level == Level.OK ? "below_clear_threshold" : "periodic");
    }

    public static PressureChanged sample(
            String target, String incident, Level level, int connections, int idleInTransaction, String reason) {
        return new PressureChanged(
                target,
                incident,
                level,
                Level.OK,
                level != Level.OK,
                reason,
                Instant.now(),
                null,
                Capacity.of(103, 3, 0),
                new Connections(connections, connections, 0, 0, 0, 0, 0, 0, 0),
                connections / 100.0,
                List.of(),
                List.of(),
                List.of(),
                new IdleInTransaction(idleInTransaction, null),
                List.of(),
                null,
                null);
    }

    /** {@code p} as if the detector had sampled it at {@code at}. */
    public static PressureChanged sampledAt(PressureChanged p, Instant at) {
        return copy(p, at, p.topClients());
    }

    /** {@code p} with {@code clients} as the clients holding the most connections. */
    public static PressureChanged withTopClients(PressureChanged p, List<ClientShare> clients) {
        return copy(p, p.sampledAt(), clients);
    }

    private static PressureChanged copy(PressureChanged p, Instant at, List<ClientShare> topClients) {
        return new PressureChanged(
                p.targetId(),
                p.incidentId(),
                p.level(),
                p.previousLevel(),
                p.levelChanged(),
                p.reason(),
                at,
                p.probeDurationMs(),
                p.capacity(),
                p.connections(),
                p.ratio(),
                topClients,
                p.longestQueries(),
                p.oldestTransactions(),
                p.idleInTransaction(),
                p.blocked(),
                p.pooler(),
                p.error());
    }

    public static PressureChanged resolved(String target, String incident) {
        return resolved(target, incident, 40);
    }

    public static PressureChanged resolved(String target, String incident, int connections) {
        return sample(target, incident, Level.OK, connections, 0, PressureChanged.REASON_INCIDENT_RESOLVED);
    }
}
