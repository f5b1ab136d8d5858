package io.connguard.audit.api;

import io.connguard.audit.config.AuditConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * When {@code connguard.audit.api.token} is set, every REST request ({@code /api/...}) must carry
 * {@code Authorization: Bearer <token>}; anything else is answered 401 problem+json. The web page's static files and
 * {@code /q/health}, {@code /q/metrics} and {@code /q/openapi} are not REST resources and stay open: they hold no
 * event data.
 */
@ApplicationScoped
public class BearerTokenFilter {

    private static final String SCHEME = "Bearer ";

    private final Optional<byte[]> token;

    BearerTokenFilter(AuditConfig config) {
        this.token = config.api().token().map(t -> t.getBytes(StandardCharsets.UTF_8));
    }

    /** Null to let the request through, else the 401 answer. */
    @ServerRequestFilter(preMatching = true)
    public Response filter(ContainerRequestContext request) {
        if (token.isEmpty()) {
            return null;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        String detail;
        if (header == null) {
            detail = "this API requires a bearer token (Authorization: Bearer <token>)";
        } else if (!header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            detail = "the Authorization header must use the Bearer scheme";
        } else if (!MessageDigest.isEqual( // constant time: the comparison must not reveal how much matched
                token.get(), header.substring(SCHEME.length()).strip().getBytes(StandardCharsets.UTF_8))) {
            detail = "the bearer token is not valid";
        } else {
            return null;
        }
        Problem problem = new Problem(
                "about:blank", "Unauthorized", 401, detail, request.getUriInfo().getPath());
        return Response.status(401)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"connguard-audit\"")
                .type(Problem.MEDIA_TYPE)
                .entity(problem)
                .build();
    }
}
