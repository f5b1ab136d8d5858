package io.connguard.audit.api;

import io.connguard.audit.chain.ChainVerification;
import io.connguard.audit.chain.ChainVerifier;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** Tamper evidence: recomputes a target's hash chain. */
@Path("/api/chains")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class ChainsResource {

    private final ChainVerifier verifier;

    ChainsResource(ChainVerifier verifier) {
        this.verifier = verifier;
    }

    @GET
    @Path("{subject}/verify")
    @Operation(
            summary = "Recompute a target's hash chain",
            description = "Every stored event carries sha256(previous hash || canonical row). This recomputes the"
                    + " chain of one target and names the first row that does not match (edited, or following a"
                    + " deleted row). Record headHash elsewhere to also detect a rewrite of the whole chain.")
    @APIResponse(responseCode = "200", description = "the verification; valid is false when a row does not match")
    @APIResponse(responseCode = "404", description = "no events for this target")
    public ChainVerification verify(@Parameter(description = "target id") @PathParam("subject") String subject) {
        return verifier.verify(subject)
                .orElseThrow(() -> new ProblemException(404, "Unknown subject", "no events stored for " + subject));
    }
}
