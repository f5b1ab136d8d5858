package io.connguard.auth;

import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The floor under every endpoint's own annotations, by path and method: a request under {@code /api} that is not a
 * read (GET, HEAD, OPTIONS) needs the role {@value Roles#OPERATOR} even where an endpoint forgot
 * {@code @RolesAllowed}, and with {@code connguard.auth.read-requires-token} a read needs a valid token too. It runs
 * before matching, so an anonymous caller learns nothing about which endpoints exist. {@code /q/health},
 * {@code /q/metrics}, {@code /q/openapi} and static pages are outside {@code /api} and stay open.
 */
public class ApiAccess {

    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

    private final boolean readRequiresToken;
    private final CurrentIdentityAssociation identities;

    ApiAccess(AuthConfig config, CurrentIdentityAssociation identities) {
        this.readRequiresToken = config.readRequiresToken();
        this.identities = identities;
    }

    @ServerRequestFilter(preMatching = true)
    public Uni<Void> check(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.equals("/api") && !path.startsWith("/api/")) {
            return Uni.createFrom().voidItem();
        }
        boolean read = READS.contains(request.getMethod());
        if (read && !readRequiresToken) {
            return Uni.createFrom().voidItem();
        }
        return identities
                .getDeferredIdentity()
                .invoke(identity -> require(identity, read))
                .replaceWithVoid();
    }

    private static void require(SecurityIdentity identity, boolean read) {
        if (identity.isAnonymous()) {
            throw new UnauthorizedException();
        }
        if (!read && !identity.hasRole(Roles.OPERATOR)) {
            throw new ForbiddenException();
        }
    }
}
