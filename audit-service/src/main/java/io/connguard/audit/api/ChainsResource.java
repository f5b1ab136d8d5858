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
                    + " chain of one target, names the first row that does not match (edited, or following a"
                    + " deleted row), and compares the chain with the target's latest checkpoint on"
                    + " connguard.audit.checkpoints: rows deleted from the end of the chain, or a rewritten chain,"
                    + " fail with the missing range.")
    @APIResponse(
            responseCode = "200",
            description = "the verification; valid is false when a row does not match or the latest checkpoint's rows"
                    + " are missing or differ")
    @APIResponse(responseCode = "404", description = "no events and no checkpoint for this target")
    public ChainVerification verify(@Parameter(description = "target id") @PathParam("subject") String subject) {
        return verifier.verify(subject)
                .orElseThrow(() -> new ProblemException(
                        404, "Unknown subject", "no events stored and no checkpoint published for " + subject));
    }
}
