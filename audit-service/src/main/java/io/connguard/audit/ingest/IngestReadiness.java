package io.connguard.audit.ingest;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** DOWN while a batch cannot be stored (the database refuses or is unreachable), with the reason. */
@Readiness
@ApplicationScoped
public class IngestReadiness implements HealthCheck {

    private final EventIngest ingest;

    IngestReadiness(EventIngest ingest) {
        this.ingest = ingest;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("audit-ingest");
        return ingest.failure()
                .map(reason -> response.down().withData("failure", reason))
                .orElseGet(response::up)
                .build();
    }
}
