package io.connguard.mitigator.guard;

import io.connguard.auth.Roles;
import io.connguard.events.ActionEvent;
import io.connguard.events.Command;
import io.connguard.events.EventJson;
import io.connguard.events.Mode;
import io.connguard.events.Outcome;
import io.connguard.mitigator.publish.ActionPublisher;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
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
 * Changing it needs the role {@value Roles#OPERATOR}; who changed it is the authenticated principal, never a field of
 * the request. Reading it is open.
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
    private final SecurityIdentity identity;

    KillSwitchResource(KillSwitch killSwitch, ActionPublisher publisher, Clock clock, SecurityIdentity identity) {
        this.killSwitch = killSwitch;
        this.publisher = publisher;
        this.clock = clock;
        this.identity = identity;
    }

    /**
     * Why the switch changes; recorded in the audit trail next to the caller's principal. A {@code by} field an older
     * client still sends is ignored: the name recorded is the one the token authenticates.
     */
    public record Change(String reason) {}

    @GET
    @Operation(summary = "Whether automation is switched off")
    public KillSwitch.State status() {
        return killSwitch.state();
    }

    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Engage the kill switch: no new action runs on any target")
    @APIResponse(responseCode = "200", description = "engaged")
    @APIResponse(responseCode = "400", description = "reason missing (problem+json)")
    @APIResponse(responseCode = "401", description = "no valid bearer token (problem+json)")
    @APIResponse(responseCode = "403", description = "the token's principal is not an operator (problem+json)")
    public Response engage(Change change) {
        return change(true, change);
    }

    @DELETE
    @RolesAllowed(Roles.OPERATOR)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Release the kill switch: automation resumes")
    @APIResponse(responseCode = "200", description = "released")
    @APIResponse(responseCode = "400", description = "reason missing (problem+json)")
    @APIResponse(responseCode = "401", description = "no valid bearer token (problem+json)")
    @APIResponse(responseCode = "403", description = "the token's principal is not an operator (problem+json)")
    public Response release(Change change) {
        return change(false, change);
    }

    private Response change(boolean engage, Change change) {
        if (change == null || blank(change.reason())) {
            return problem(400, "Bad kill switch change", "'reason' is required: it is audited");
        }
        String by = identity.getPrincipal().getName();
        Instant started = clock.instant();
        KillSwitch.State before = killSwitch.state();
        KillSwitch.State after;
        try {
            after = killSwitch.set(engage, by, change.reason(), started);
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
                EventJson.mapper().createObjectNode().put("by", by),
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
