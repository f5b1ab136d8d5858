package io.connguard.detector.metrics;

import io.connguard.events.Connections;
import io.connguard.events.Level;
import io.connguard.events.PressureChanged;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.ToDoubleFunction;

/**
 * The Micrometer meters of one target (tag {@code target}); names are documented in DESIGN.md because alerts are
 * written against them. Gauges read the target's last assessment; a value that is unknown (no sample yet, probe
 * failing, no pooler) reads NaN, which Prometheus shows as a gap rather than a misleading zero. The last assessment
 * is swapped atomically by the target's monitor and read by the scrape thread.
 */
public final class TargetMetrics {

    private final Timer probeDuration;
    private final Counter probeFailures;
    private volatile PressureChanged last;

    public TargetMetrics(String targetId, MeterRegistry registry) {
        Tags tags = Tags.of("target", targetId);
        probeDuration = Timer.builder("connguard.probe.duration")
                .description("Time to sample the target (one round trip)")
                .tags(tags)
                .register(registry);
        probeFailures = Counter.builder("connguard.probe.failures")
                .description("Probes that could not sample the target (refused or failed)")
                .tags(tags)
                .register(registry);
        connections(registry, tags, "total", Connections::total);
        connections(registry, tags, "active", Connections::active);
        connections(registry, tags, "idle", Connections::idle);
        connections(registry, tags, "idle_in_transaction", Connections::idleInTransaction);
        connections(registry, tags, "idle_in_transaction_aborted", Connections::idleInTransactionAborted);
        connections(registry, tags, "lock_waiters", Connections::lockWaiters);
        gauge(
                registry,
                tags,
                "connguard.capacity.usable",
                "Connections ordinary roles can open",
                p -> p.capacity() == null ? Double.NaN : p.capacity().usable());
        gauge(
                registry,
                tags,
                "connguard.capacity.max",
                "max_connections",
                p -> p.capacity() == null ? Double.NaN : p.capacity().maxConnections());
        gauge(
                registry,
                tags,
                "connguard.pressure.ratio",
                "Client connections over usable capacity",
                p -> p.connections() == null ? Double.NaN : p.ratio());
        gauge(registry, tags, "connguard.level", "0 OK, 1 ELEVATED, 2 CRITICAL, -1 UNKNOWN", p -> level(p.level()));
        gauge(
                registry,
                tags,
                "connguard.idle.in.transaction.oldest.seconds",
                "Age of the oldest idle-in-transaction session",
                p -> p.idleInTransaction() == null
                        ? Double.NaN
                        : p.idleInTransaction().oldestAgeMs() == null
                                ? 0
                                : p.idleInTransaction().oldestAgeMs() / 1000.0);
        gauge(
                registry,
                tags,
                "connguard.transaction.oldest.seconds",
                "Age of the oldest open transaction",
                p -> p.connections() == null
                        ? Double.NaN
                        : p.oldestTransactions().isEmpty()
                                ? 0
                                : p.oldestTransactions().get(0).transactionDurationMs() / 1000.0);
        gauge(
                registry,
                tags,
                "connguard.pooler.clients.waiting",
                "Pooler clients queued for a server connection",
                p -> p.pooler() == null ? Double.NaN : p.pooler().clientsWaiting());
    }

    /** Records the target's latest assessment (published or not). */
    public void assessed(PressureChanged pressure) {
        last = pressure;
    }

    public void probeSucceeded(double durationMs) {
        probeDuration.record(Duration.ofNanos((long) (durationMs * 1e6)));
    }

    public void probeFailed() {
        probeFailures.increment();
    }

    static double level(Level level) {
        return switch (level) {
            case OK -> 0;
            case ELEVATED -> 1;
            case CRITICAL -> 2;
            case UNKNOWN -> -1;
        };
    }

    private void connections(MeterRegistry registry, Tags tags, String state, ToDoubleFunction<Connections> value) {
        Gauge.builder("connguard.connections", this, m -> {
                    PressureChanged p = m.last;
                    return p == null || p.connections() == null ? Double.NaN : value.applyAsDouble(p.connections());
                })
                .description("Client backends of the target by state")
                .tags(tags.and("state", state))
                .register(registry);
    }

    private void gauge(
            MeterRegistry registry,
            Tags tags,
            String name,
            String description,
            ToDoubleFunction<PressureChanged> value) {
        Gauge.builder(name, this, m -> {
                    PressureChanged p = m.last;
                    return p == null ? Double.NaN : value.applyAsDouble(p);
                })
                .description(description)
                .tags(tags)
                .register(registry);
    }
}
