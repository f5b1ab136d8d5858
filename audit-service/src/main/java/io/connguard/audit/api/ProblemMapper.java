package io.connguard.audit.api;

import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** Renders {@link ProblemException} as problem+json. */
@Provider
public class ProblemMapper implements ExceptionMapper<ProblemException> {

    @Context
    UriInfo uri;

    @Override
    public Response toResponse(ProblemException e) {
        Problem problem = new Problem("about:blank", e.title(), e.status(), e.getMessage(), uri.getPath());
        return Response.status(e.status())
                .type(Problem.MEDIA_TYPE)
                .entity(problem)
                .build();
    }
}
