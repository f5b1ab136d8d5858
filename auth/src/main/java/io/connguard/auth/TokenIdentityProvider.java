package io.connguard.auth;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Turns a token from the token directory into its principal, with the roles {@code connguard.auth.roles} gives it. */
@ApplicationScoped
public class TokenIdentityProvider implements IdentityProvider<OperatorTokenRequest> {

    private final TokenStore store;
    private final Map<String, List<String>> roles;

    TokenIdentityProvider(TokenStore store, AuthConfig config) {
        this.store = store;
        this.roles = config.roles();
    }

    @Override
    public Class<OperatorTokenRequest> getRequestType() {
        return OperatorTokenRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(OperatorTokenRequest request, AuthenticationRequestContext context) {
        // blocking: a reload reads the directory
        return context.runBlocking(() -> store.tokens()
                .principalOf(request.token())
                .map(this::identity)
                .orElseThrow(() -> new AuthenticationFailedException("the bearer token is not valid")));
    }

    private SecurityIdentity identity(String principal) {
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(principal))
                .addRoles(Set.copyOf(roles.getOrDefault(principal, List.of(Roles.OPERATOR))))
                .build();
    }
}
