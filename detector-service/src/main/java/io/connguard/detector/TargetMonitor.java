package io.connguard.detector;

import io.connguard.detector.pressure.TargetAssessor;
import io.connguard.detector.probe.PgProbe;
import io.connguard.detector.probe.ProbeException;
import io.connguard.detector.publish.PressurePublisher;
import io.connguard.events.PressureChanged;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Samples one target on its own timer: probe, assess, publish. A tick that finds the previous one still running is
 * skipped, so a slow target never piles up work and never delays another target.
 */
final class TargetMonitor implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TargetMonitor.class);

    private final String targetId;
    private final PgProbe probe;
    private final TargetAssessor assessor;
    private final PressurePublisher publisher;
    private final Clock clock;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final Timer probeTimer;
    private final Counter probeFailures;

    TargetMonitor(
            String targetId,
            PgProbe probe,
            TargetAssessor assessor,
            PressurePublisher publisher,
            Clock clock,
            MeterRegistry registry) {
        this.targetId = targetId;
        this.probe = probe;
        this.assessor = assessor;
        this.publisher = publisher;
        this.clock = clock;
        this.probeTimer = Timer.builder("connguard.probe.duration")
                .description("Time to sample pg_stat_activity")
                .tag("target", targetId)
                .register(registry);
        this.probeFailures = Counter.builder("connguard.probe.failures")
                .description("Probes that could not sample the target")
                .tag("target", targetId)
                .register(registry);
    }

    String targetId() {
        return targetId;
    }

    Optional<PressureChanged> last() {
        return assessor.last();
    }

    void tick() {
        if (!busy.compareAndSet(false, true)) {
            return;
        }
        probe.sample()
                .invoke(sample -> probeTimer.record(Duration.ofNanos((long) (sample.durationMs() * 1e6))))
                .map(assessor::onSample)
                .onFailure(ProbeException.class)
                .recoverWithItem(failure -> {
                    probeFailures.increment();
                    ProbeException probeFailure = (ProbeException) failure;
                    return assessor.onFailure(probeFailure.getMessage(), probeFailure.refused(), clock.instant());
                })
                .flatMap(this::publish)
                .onTermination()
                .invoke(() -> busy.set(false))
                .subscribe()
                .with(ignored -> {}, failure -> LOG.errorf(failure, "target %s: sampling failed", targetId));
    }

    private Uni<Void> publish(Optional<PressureChanged> pressure) {
        if (pressure.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        PressureChanged event = pressure.get();
        LOG.infof(
                "target %s: %s (%s) ratio %.2f incident %s",
                targetId, event.level(), event.reason(), event.ratio(), event.incidentId());
        return publisher.publish(event).replaceWithVoid();
    }

    @Override
    public void close() {
        probe.close();
    }
}
