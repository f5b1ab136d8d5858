package io.connguard.detector;

import io.connguard.detector.config.ConfigChecks;
import io.connguard.detector.config.DetectorConfig;
import io.connguard.detector.incident.IncidentTracker;
import io.connguard.detector.incident.OpenIncident;
import io.connguard.detector.metrics.TargetMetrics;
import io.connguard.detector.pressure.LevelRules;
import io.connguard.detector.pressure.TargetAssessor;
import io.connguard.detector.probe.PgBouncerProbe;
import io.connguard.detector.probe.PgProbe;
import io.connguard.detector.publish.LastPressureEvents;
import io.connguard.detector.publish.PressurePublisher;
import io.connguard.events.PressureChanged;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jboss.logging.Logger;

/**
 * Starts one {@link TargetMonitor} per configured target, each on its own Vert.x timer, after continuing the incidents
 * that the previous run left open (read back from the pressure topic before the first sample).
 */
@ApplicationScoped
public class Detector {

    private static final Logger LOG = Logger.getLogger(Detector.class);

    private final DetectorConfig config;
    private final Vertx vertx;
    private final PressurePublisher publisher;
    private final LastPressureEvents lastEvents;
    private final Clock clock;
    private final MeterRegistry registry;
    private final List<TargetMonitor> monitors = new ArrayList<>();
    private final List<Long> timers = new ArrayList<>();

    Detector(
            DetectorConfig config,
            Vertx vertx,
            PressurePublisher publisher,
            LastPressureEvents lastEvents,
            Clock clock,
            MeterRegistry registry) {
        this.config = config;
        this.vertx = vertx;
        this.publisher = publisher;
        this.lastEvents = lastEvents;
        this.clock = clock;
        this.registry = registry;
    }

    void start(@Observes StartupEvent startup) {
        ConfigChecks.check(config);
        Map<String, PressureChanged> last = lastEvents.of(config.targets().keySet());
        config.targets().forEach((id, target) -> {
            TargetMonitor monitor = monitor(id, target, Optional.ofNullable(last.get(id)));
            monitors.add(monitor);
            timers.add(vertx.setPeriodic(0, target.sampleInterval().toMillis(), ignored -> monitor.tick()));
            LOG.infof("target %s: sampling %s:%d every %s", id, target.host(), target.port(), target.sampleInterval());
        });
    }

    private TargetMonitor monitor(String id, DetectorConfig.Target target, Optional<PressureChanged> last) {
        DetectorConfig.Thresholds t = target.thresholds();
        LevelRules rules = ConfigChecks.levelRules(id, t);
        TargetAssessor assessor = new TargetAssessor(
                id, rules, new IncidentTracker(t.resolveAfter()), config.periodicUpdate(), config.heartbeat());
        last.flatMap(OpenIncident::of)
                .ifPresentOrElse(
                        open -> {
                            assessor.restore(open);
                            LOG.infof(
                                    "target %s: continuing incident %s (opened %s, level %s) from its last event of %s",
                                    id,
                                    open.incidentId(),
                                    open.startedAt(),
                                    open.level(),
                                    last.get().sampledAt());
                        },
                        () -> LOG.infof(
                                "target %s: no open incident to continue (last event: %s)",
                                id,
                                last.map(e -> e.reason() + " at " + e.sampledAt())
                                        .orElse("none read")));
        return new TargetMonitor(
                id,
                new PgProbe(vertx, target, config.probe(), clock),
                target.pgbouncer().map(p -> new PgBouncerProbe(vertx, p, config.probe(), clock)),
                assessor,
                publisher,
                clock,
                new TargetMetrics(id, registry));
    }

    /** The last assessment of every target, by id. */
    public Map<String, Optional<PressureChanged>> lastByTarget() {
        Map<String, Optional<PressureChanged>> result = new TreeMap<>();
        monitors.forEach(m -> result.put(m.targetId(), m.last()));
        return result;
    }

    void stop(@Observes ShutdownEvent shutdown) {
        timers.forEach(vertx::cancelTimer);
        monitors.forEach(TargetMonitor::close);
    }
}
