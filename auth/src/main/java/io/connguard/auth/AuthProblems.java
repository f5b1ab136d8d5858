package io.connguard.auth;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Authentication and authorization failures as RFC 9457 problem+json: 401 with {@code WWW-Authenticate: Bearer}
 * saying what was missing (no token configured at all, no token sent, a token not known), 403 naming the principal.
 */
public class AuthProblems {

    static final String MEDIA_TYPE = "application/problem+json";
    // ahead of Quarkus' own security mappers, which answer without a body
    private static final int PRIORITY = Priorities.USER - 100;

    private final TokenStore store;
    private final CurrentIdentityAssociation identities;

    AuthProblems(TokenStore store, CurrentIdentityAssociation identities) {
        this.store = store;
        this.identities = identities;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Problem(String type, String title, int status, String detail, String instance) {}

    @ServerExceptionMapper(priority = PRIORITY)
    public Response unauthorized(UnauthorizedException e, HttpHeaders headers, UriInfo uri) {
        return unauthenticated(headers, uri);
    }

    @ServerExceptionMapper(priority = PRIORITY)
    public Response authenticationFailed(AuthenticationFailedException e, HttpHeaders headers, UriInfo uri) {
        return unauthenticated(headers, uri);
    }

    @ServerExceptionMapper(priority = PRIORITY)
    public Uni<Response> forbidden(ForbiddenException e, UriInfo uri) {
        return identities.getDeferredIdentity().map(identity -> {
            String detail = "'" + identity.getPrincipal().getName() + "' is authenticated but lacks the role this"
                    + " request needs (" + Roles.OPERATOR + " for any change)";
            return problem(Response.status(403), "Forbidden", 403, detail, uri);
        });
    }

    private Response unauthenticated(HttpHeaders headers, UriInfo uri) {
        boolean sentToken = TokenAuthenticationMechanism.bearerToken(headers.getHeaderString(HttpHeaders.AUTHORIZATION))
                .isPresent();
        String detail;
        if (store.tokens().isEmpty()) {
            detail = "no operator tokens are configured (connguard.auth.tokens-dir): this service refuses every"
                    + " request that needs one";
        } else if (sentToken) {
            detail = "the bearer token is not valid";
        } else {
            detail = "this request needs a bearer token (Authorization: Bearer <token>)";
        }
        String challenge = TokenAuthenticationMechanism.CHALLENGE + (sentToken ? ", error=\"invalid_token\"" : "");
        return problem(
                Response.status(401).header(HttpHeaders.WWW_AUTHENTICATE, challenge), "Unauthorized", 401, detail, uri);
    }

    private static Response problem(
            Response.ResponseBuilder response, String title, int status, String detail, UriInfo uri) {
        return response.type(MEDIA_TYPE)
                .entity(new Problem("about:blank", title, status, detail, uri.getPath()))
                .build();
    }
}
