package io.connguard.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Authentication of a service's REST API, under {@code connguard.auth}: the same keys in every service. */
@ConfigMapping(prefix = "connguard.auth")
public interface AuthConfig {

    /**
     * Directory of bearer tokens: each file's name is a principal, its content that principal's token (a mounted
     * Kubernetes Secret has exactly this shape). Unset, missing or empty: no token is valid, and every mutating
     * request is refused.
     */
    Optional<Path> tokensDir();

    /** Whether reading the API ({@code GET /api/...}) needs a valid token too; mutating requests always do. */
    @WithDefault("false")
    boolean readRequiresToken();

    /** How long the tokens read from the directory are used before it is read again (how long a rotation takes). */
    @WithDefault("30s")
    Duration reloadAfter();

    /** Roles of a principal by name, e.g. {@code connguard.auth.roles.grafana=reader}; unlisted principals are operators. */
    Map<String, List<String>> roles();
}
