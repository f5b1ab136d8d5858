package io.connguard.mitigator.guard;

import io.connguard.events.ActionEvent;
import io.connguard.events.Command;
import io.connguard.events.EventJson;
import io.connguard.events.Mode;
import io.connguard.events.Outcome;
import io.connguard.mitigator.publish.ActionPublisher;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Operators switch automation off and on here. Every change is itself published as an action event
 * ({@code kill-switch-engaged} / {@code kill-switch-released}, target {@value #ALL_TARGETS}) before the call returns.
 */
@Path("/api/automation/kill-switch")
@Tag(name = "automation")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class KillSwitchResource {

    static final String ALL_TARGETS = "all-targets";
    private static final String PROBLEM = "application/problem+json";

    private final KillSwitch killSwitch;
    private final ActionPublisher publisher;
    private final Clock clock;

    KillSwitchResource(KillSwitch killSwitch, ActionPublisher publisher, Clock clock) {
        this.killSwitch = killSwitch;
        this.publisher = publisher;
        this.clock = clock;
    }

    /** Who changes the switch and why; both are recorded in the audit trail. */
    public record Change(String by, String reason) {}

    @GET
    @Operation(summary = "Whether automation is switched off")
    public KillSwitch.State status() {
        return killSwitch.state();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Engage the kill switch: no new action runs on any target")
    @APIResponse(responseCode = "200", description = "engaged")
    @APIResponse(responseCode = "400", description = "by or reason missing (problem+json)")
    public Response engage(Change change) {
        return change(true, change);
    }

    @DELETE
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Release the kill switch: automation resumes")
    @APIResponse(responseCode = "200", description = "released")
    @APIResponse(responseCode = "400", description = "by or reason missing (problem+json)")
    public Response release(Change change) {
        return change(false, change);
    }

    private Response change(boolean engage, Change change) {
        if (change == null || blank(change.by()) || blank(change.reason())) {
            return problem(400, "Bad kill switch change", "both 'by' and 'reason' are required: they are audited");
        }
        Instant started = clock.instant();
        KillSwitch.State before = killSwitch.state();
        KillSwitch.State after;
        try {
            after = killSwitch.set(engage, change.by(), change.reason(), started);
        } catch (RuntimeException e) {
            return problem(503, "Kill switch not stored", e.getMessage());
        }
        Instant finished = clock.instant();
        ActionEvent audit = new ActionEvent(
                UUID.randomUUID().toString(),
                ALL_TARGETS,
                null,
                null,
                null,
                engage ? "kill-switch-engaged" : "kill-switch-released",
                Mode.ENFORCE,
                Outcome.SUCCEEDED,
                new Command(
                        "kubernetes",
                        "PUT v1 configmaps/" + KillSwitch.NAME + " {\"kill-switch\":\"" + engage + "\"}",
                        KillSwitch.NAME),
                EventJson.mapper().createObjectNode().put("engaged", before.engaged()),
                EventJson.mapper().createObjectNode().put("engaged", after.engaged()),
                EventJson.mapper().createObjectNode().put("by", change.by()),
                change.reason(),
                null,
                started,
                finished,
                Duration.between(started, finished).toMillis());
        publisher.publish(audit).await().atMost(Duration.ofSeconds(10));
        return Response.ok(after).build();
    }

    private static Response problem(int status, String title, String detail) {
        return Response.status(status)
                .type(PROBLEM)
                .entity(Map.of(
                        "type", "about:blank", "title", title, "status", status, "detail", String.valueOf(detail)))
                .build();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
