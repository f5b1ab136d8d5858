package io.connguard.audit.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** Renders the framework's own client errors (unknown path, wrong method, unacceptable media type) as problem+json. */
@Provider
public class WebApplicationProblemMapper implements ExceptionMapper<WebApplicationException> {

    @Context
    UriInfo uri;

    @Override
    public Response toResponse(WebApplicationException e) {
        Response original = e.getResponse();
        int status = original.getStatus();
        Problem problem = new Problem(
                "about:blank", original.getStatusInfo().getReasonPhrase(), status, e.getMessage(), uri.getPath());
        Response.ResponseBuilder response =
                Response.status(status).type(Problem.MEDIA_TYPE).entity(problem);
        original.getHeaders().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("Content-Type")) {
                values.forEach(value -> response.header(name, value));
            }
        });
        return response.build();
    }
}
