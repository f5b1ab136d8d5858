package io.connguard.mitigator.api;

import io.connguard.auth.Roles;
import io.connguard.events.ActionEvent;
import io.connguard.events.Command;
import io.connguard.events.EventJson;
import io.connguard.events.Mode;
import io.connguard.events.Outcome;
import io.connguard.mitigator.publish.ActionPublisher;
import io.connguard.mitigator.run.TargetActors;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * An operator's way back when automation holds: {@code restore} runs the staged restore of a target now (after
 * fail-closed stopped it, or with the detector gone), {@code resume} lifts fail-closed and lets the policy decide
 * again. Each request is published first as its own action event ({@code operator-restore} /
 * {@code operator-resume}, {@code evidence.by} = the authenticated principal, never a body field), then the actions
 * it caused; the response lists them.
 */
@Path("/api/targets/{target}")
@Tag(name = "automation")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Blocking
public class TargetControlResource {

    private static final String PROBLEM = "application/problem+json";
    private static final Duration ACKS = Duration.ofSeconds(30);

    private final TargetActors actors;
    private final ActionPublisher publisher;
    private final Clock clock;
    private final SecurityIdentity identity;

    TargetControlResource(TargetActors actors, ActionPublisher publisher, Clock clock, SecurityIdentity identity) {
        this.actors = actors;
        this.publisher = publisher;
        this.clock = clock;
        this.identity = identity;
    }

    /** Why the operator steps in; recorded in the audit trail. */
    public record Request(String reason) {}

    /** What a request caused: the action events published for it, in order. */
    public record Outcomes(String target, String by, List<Caused> events) {}

    /** One action event of {@link Outcomes}. */
    public record Caused(String actionId, String action, Outcome outcome, String reason) {}

    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Path("/restore")
    @Operation(summary = "Run the target's staged restore now (lifts fail-closed)")
    @APIResponse(responseCode = "200", description = "the action events the restore caused")
    @APIResponse(responseCode = "400", description = "reason missing (problem+json)")
    @APIResponse(responseCode = "401", description = "no valid bearer token (problem+json)")
    @APIResponse(responseCode = "403", description = "the token's principal is not an operator (problem+json)")
    @APIResponse(responseCode = "404", description = "unknown target (problem+json)")
    public Response restore(@PathParam("target") String target, Request request) {
        return command("operator-restore", target, request, actors::restore);
    }

    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Path("/resume")
    @Operation(summary = "Lift the target's fail-closed hold: the policy decides again")
    @APIResponse(responseCode = "200", description = "the action events the resume caused")
    @APIResponse(responseCode = "400", description = "reason missing (problem+json)")
    @APIResponse(responseCode = "401", description = "no valid bearer token (problem+json)")
    @APIResponse(responseCode = "403", description = "the token's principal is not an operator (problem+json)")
    @APIResponse(responseCode = "404", description = "unknown target (problem+json)")
    public Response resume(@PathParam("target") String target, Request request) {
        return command("operator-resume", target, request, actors::resume);
    }

    private Response command(
            String action,
            String target,
            Request request,
            Function<String, Optional<CompletableFuture<List<ActionEvent>>>> run) {
        if (request == null || request.reason() == null || request.reason().isBlank()) {
            return problem(400, "Bad " + action + " request", "'reason' is required: it is audited");
        }
        String by = identity.getPrincipal().getName(); // @RolesAllowed let only an authenticated operator in
        Instant at = clock.instant();
        // recorded before it takes effect: the trail shows who asked even if the restore then fails
        publisher
                .publish(requested(action, target, by, request.reason(), at))
                .await()
                .atMost(ACKS);
        Optional<CompletableFuture<List<ActionEvent>>> caused = run.apply(target);
        if (caused.isEmpty()) {
            return problem(404, "Unknown target", "no configured or stored target " + target);
        }
        try {
            List<Caused> events = caused.get().get(ACKS.toSeconds(), TimeUnit.SECONDS).stream()
                    .map(e -> new Caused(e.actionId(), e.action(), e.outcome(), e.reason()))
                    .toList();
            return Response.ok(new Outcomes(target, by, events)).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return problem(503, action + " interrupted", e.toString());
        } catch (ExecutionException | TimeoutException e) {
            return problem(503, action + " not completed", e.toString());
        }
    }

    private static ActionEvent requested(String action, String target, String by, String reason, Instant at) {
        return new ActionEvent(
                UUID.randomUUID().toString(),
                target,
                null,
                null,
                null,
                action,
                Mode.ENFORCE,
                Outcome.SUCCEEDED,
                Command.none(),
                null,
                null,
                EventJson.mapper().createObjectNode().put("by", by),
                reason,
                null,
                at,
                at,
                0L);
    }

    private static Response problem(int status, String title, String detail) {
        return Response.status(status)
                .type(PROBLEM)
                .entity(Map.of("type", "about:blank", "title", title, "status", status, "detail", detail))
                .build();
    }
}
