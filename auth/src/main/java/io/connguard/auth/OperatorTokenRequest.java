package io.connguard.auth;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/**
 * A bearer token to check against the token directory. A type of its own, so that another mechanism's provider
 * (quarkus-oidc's, for a JWT) never sees these requests and ours never sees theirs.
 */
public final class OperatorTokenRequest extends BaseAuthenticationRequest {

    private final String token;

    public OperatorTokenRequest(String token) {
        this.token = token;
    }

    public String token() {
        return token;
    }
}
