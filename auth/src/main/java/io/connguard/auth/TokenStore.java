package io.connguard.auth;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The operators' tokens from {@code connguard.auth.tokens-dir}, read at start-up and again once they are older than
 * {@code connguard.auth.reload-after}, so a rotated Secret takes effect without a restart. A directory that is missing
 * or holds no valid token leaves every mutating endpoint closed: there is no open default.
 */
// created at start-up so a missing or empty token directory is logged before the first request
@Startup
@ApplicationScoped
public class TokenStore {

    private static final Logger LOG = Logger.getLogger(TokenStore.class);

    private final Optional<Path> dir;
    private final long reloadAfterNanos;
    // replaced whole by reload(); readers see one consistent reading
    private volatile Tokens tokens;
    private volatile long readAt;

    TokenStore(AuthConfig config) {
        this.dir = config.tokensDir();
        this.reloadAfterNanos = config.reloadAfter().toNanos();
        if (dir.isPresent() && Files.exists(dir.get()) && !Files.isDirectory(dir.get())) {
            throw new IllegalArgumentException(
                    "connguard.auth.tokens-dir=" + dir.get() + " is not a directory: it must hold one file per"
                            + " principal, named after it, containing its token");
        }
        this.tokens = read();
        this.readAt = System.nanoTime();
        log(tokens);
    }

    /** The current tokens; reads the directory again first when the last reading is too old. */
    public Tokens tokens() {
        if (System.nanoTime() - readAt > reloadAfterNanos) {
            reload();
        }
        return tokens;
    }

    private synchronized void reload() {
        if (System.nanoTime() - readAt <= reloadAfterNanos) {
            return; // another thread reloaded meanwhile
        }
        Tokens fresh = read();
        readAt = System.nanoTime();
        if (!fresh.sameAs(tokens)) {
            log(fresh);
        }
        tokens = fresh;
    }

    private Tokens read() {
        return dir.map(Tokens::read).orElseGet(() -> Tokens.none("connguard.auth.tokens-dir is not set"));
    }

    private void log(Tokens tokens) {
        tokens.problems().forEach(problem -> LOG.warnf("operator tokens: %s", problem));
        if (tokens.isEmpty()) {
            LOG.warn("no operator tokens are configured (connguard.auth.tokens-dir): every mutating API request is"
                    + " refused with 401");
        } else {
            LOG.infof("operator tokens loaded for %s", String.join(", ", tokens.principals()));
        }
    }
}
