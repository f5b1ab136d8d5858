package io.connguard.audit.ingest;

import io.connguard.audit.config.AuditConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Locale;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * DOWN while a batch cannot be stored (the database refuses or is unreachable), or while a batch has waited longer
 * than {@code connguard.audit.ingest.stuck-after} to be stored (a writer that hangs without an error), with the
 * reasons; UP again once the batch is stored.
 */
@Readiness
@ApplicationScoped
public class IngestReadiness implements HealthCheck {

    private final EventIngest ingest;
    private final AuditConfig config;

    IngestReadiness(EventIngest ingest, AuditConfig config) {
        this.ingest = ingest;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("audit-ingest").up();
        ingest.failure().ifPresent(reason -> response.down().withData("failure", reason));
        Duration stuckAfter = config.ingest().stuckAfter();
        ingest.waiting()
                .filter(waiting -> waiting.waited().compareTo(stuckAfter) > 0)
                .ifPresent(waiting -> response.down()
                        .withData(
                                "stuck",
                                String.format(
                                        Locale.ROOT,
                                        "a batch of %d records has been waiting %.1f s to be stored (stuck-after %.1f s)",
                                        waiting.records(),
                                        seconds(waiting.waited()),
                                        seconds(stuckAfter))));
        return response.build();
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }
}
