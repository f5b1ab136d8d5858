package io.connguard.audit.api;

import io.connguard.audit.store.EventStore;
import io.connguard.audit.store.StoredEvent;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/** Read-only access to the stored events. */
@Path("/api/events")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class EventsResource {

    static final int MAX_LIMIT = 10_000;

    private final EventStore store;

    EventsResource(EventStore store) {
        this.store = store;
    }

    @GET
    @Operation(summary = "Stored events of one target, in time order")
    public List<StoredEvent> bySubject(
            @Parameter(description = "target id (the CloudEvents subject)", required = true) @QueryParam("subject")
                    String subject,
            @Parameter(description = "maximum number of events, 1 to 10000 (default 1000)") @QueryParam("limit")
                    Integer limit) {
        if (subject == null || subject.isBlank()) {
            throw new ProblemException(400, "Missing subject", "query parameter 'subject' (the target id) is required");
        }
        int max = limit == null ? 1000 : limit;
        if (max < 1 || max > MAX_LIMIT) {
            throw new ProblemException(
                    400, "Invalid limit", "limit must be between 1 and " + MAX_LIMIT + ", was " + max);
        }
        return store.bySubject(subject, max);
    }
}
