package io.connguard.detector;

import io.connguard.detector.metrics.TargetMetrics;
import io.connguard.detector.pressure.TargetAssessor;
import io.connguard.detector.probe.PgBouncerProbe;
import io.connguard.detector.probe.PgProbe;
import io.connguard.detector.probe.ProbeException;
import io.connguard.detector.probe.ProbeSample;
import io.connguard.detector.publish.PressurePublisher;
import io.connguard.events.PressureChanged;
import io.smallrye.mutiny.Uni;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Samples one target on its own timer: probe (and pooler), assess, hand the event to the publisher. A tick that finds
 * the previous one still running is skipped, so a slow target never piles up work and never delays another target.
 * Publishing does not hold the tick: a Kafka outage must not stop sampling (the publisher buffers).
 */
final class TargetMonitor implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TargetMonitor.class);

    private final String targetId;
    private final PgProbe probe;
    private final Optional<PgBouncerProbe> pooler;
    private final TargetAssessor assessor;
    private final PressurePublisher publisher;
    private final Clock clock;
    private final TargetMetrics metrics;
    private final AtomicBoolean busy = new AtomicBoolean();
    private boolean poolerFailing;

    TargetMonitor(
            String targetId,
            PgProbe probe,
            Optional<PgBouncerProbe> pooler,
            TargetAssessor assessor,
            PressurePublisher publisher,
            Clock clock,
            TargetMetrics metrics) {
        this.targetId = targetId;
        this.probe = probe;
        this.pooler = pooler;
        this.assessor = assessor;
        this.publisher = publisher;
        this.clock = clock;
        this.metrics = metrics;
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
                .invoke(sample -> metrics.probeSucceeded(sample.durationMs()))
                .flatMap(this::withPooler)
                .map(assessor::onSample)
                .onFailure(ProbeException.class)
                .recoverWithItem(failure -> {
                    metrics.probeFailed();
                    ProbeException probeFailure = (ProbeException) failure;
                    return assessor.onFailure(probeFailure.getMessage(), probeFailure.refused(), clock.instant());
                })
                .onTermination()
                .invoke(() -> busy.set(false))
                .subscribe()
                .with(this::publish, failure -> LOG.errorf(failure, "target %s: sampling failed", targetId));
    }

    /** The pooler is extra evidence: when it cannot be read the database sample still counts, without a pooler. */
    private Uni<ProbeSample> withPooler(ProbeSample sample) {
        if (pooler.isEmpty()) {
            return Uni.createFrom().item(sample);
        }
        return pooler.get()
                .sample()
                .map(p -> {
                    if (poolerFailing) {
                        LOG.infof("target %s: pooler readable again", targetId);
                        poolerFailing = false;
                    }
                    return sample.withPooler(p);
                })
                .onFailure()
                .recoverWithItem(failure -> {
                    if (!poolerFailing) {
                        LOG.warnf("target %s: cannot read the pooler: %s", targetId, failure.getMessage());
                        poolerFailing = true;
                    }
                    return sample;
                });
    }

    private void publish(Optional<PressureChanged> pressure) {
        assessor.last().ifPresent(metrics::assessed);
        if (pressure.isEmpty()) {
            return;
        }
        PressureChanged event = pressure.get();
        LOG.infof(
                "target %s: %s (%s) ratio %.2f incident %s",
                targetId, event.level(), event.reason(), event.ratio(), event.incidentId());
        publisher.publish(event);
    }

    @Override
    public void close() {
        probe.close();
        pooler.ifPresent(PgBouncerProbe::close);
    }
}
