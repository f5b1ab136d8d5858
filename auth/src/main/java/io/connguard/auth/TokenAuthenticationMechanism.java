package io.connguard.auth;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.Set;

/**
 * {@code Authorization: Bearer <token>} checked against the token directory. A request without a bearer token, or
 * with one the directory does not hold, stays anonymous rather than failing: a mechanism after this one (quarkus-oidc,
 * when a service adds it) then gets its turn, and an endpoint that needs a role answers 401 through
 * {@link AuthProblems}.
 */
@ApplicationScoped
public class TokenAuthenticationMechanism implements HttpAuthenticationMechanism {

    /** The challenge of every 401 (RFC 6750). */
    public static final String CHALLENGE = "Bearer realm=\"connguard\"";

    private static final String SCHEME = "bearer ";

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        Optional<String> token = bearerToken(context.request().getHeader(HttpHeaders.AUTHORIZATION));
        if (token.isEmpty()) {
            return Uni.createFrom().nullItem();
        }
        AuthenticationRequest request =
                HttpSecurityUtils.setRoutingContextAttribute(new OperatorTokenRequest(token.get()), context);
        return identities
                .authenticate(request)
                .onFailure(AuthenticationFailedException.class)
                .recoverWithNull();
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", CHALLENGE));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(OperatorTokenRequest.class);
    }

    @Override
    public int getPriority() {
        // before quarkus-oidc's mechanism, which would reject a token it cannot verify instead of passing it on
        return DEFAULT_PRIORITY + 100;
    }

    /** The token of an {@code Authorization} header using the Bearer scheme (case-insensitive), if any. */
    static Optional<String> bearerToken(String header) {
        if (header == null || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return Optional.empty();
        }
        String token = header.substring(SCHEME.length()).strip();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }
}
