package io.connguard.audit.api;

import io.connguard.audit.store.QuarantineStore;
import io.connguard.audit.store.QuarantinedRecord;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/** Records that could not be stored as events, kept with the reason. */
@Path("/api/quarantine")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class QuarantineResource {

    static final int MAX_LIMIT = 1000;

    private final QuarantineStore store;

    QuarantineResource(QuarantineStore store) {
        this.store = store;
    }

    @GET
    @Operation(summary = "The most recently quarantined records, newest first, as they arrived, with the reason")
    public List<QuarantinedRecord> latest(
            @Parameter(description = "maximum number of records, 1 to 1000 (default 100)") @QueryParam("limit")
                    Integer limit) {
        int max = limit == null ? 100 : limit;
        if (max < 1 || max > MAX_LIMIT) {
            throw new ProblemException(
                    400, "Invalid limit", "limit must be between 1 and " + MAX_LIMIT + ", was " + max);
        }
        return store.latest(max);
    }
}
