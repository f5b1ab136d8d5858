package io.connguard.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokensTest {

    static final String ALICE = "alice-0123456789abcdef";
    static final String BOB = "bob-0123456789abcdef";

    @TempDir
    Path dir;

    @Test
    void eachFileIsAPrincipalAndItsContentTheTokenWithoutTheTrailingNewline() throws IOException {
        Files.writeString(dir.resolve("alice"), ALICE + "\n");
        Files.writeString(dir.resolve("bob"), BOB);

        Tokens tokens = Tokens.read(dir);

        assertThat(tokens.principals()).containsExactly("alice", "bob");
        assertThat(tokens.principalOf(ALICE)).contains("alice");
        assertThat(tokens.principalOf(BOB)).contains("bob");
        assertThat(tokens.principalOf(ALICE + "x")).isEmpty();
        assertThat(tokens.principalOf(ALICE.substring(0, 10))).isEmpty();
        assertThat(tokens.principalOf("")).isEmpty();
        assertThat(tokens.problems()).isEmpty();
    }

    @Test
    void aMountedKubernetesSecretReadsAsItsKeys() throws IOException {
        // what the kubelet writes: the keys are links into a timestamped directory behind the ..data link
        Path version = Files.createDirectory(dir.resolve("..2026_01_01_00_00_00.000000001"));
        Files.writeString(version.resolve("alice"), ALICE);
        Files.createSymbolicLink(dir.resolve("..data"), version.getFileName());
        Files.createSymbolicLink(dir.resolve("alice"), Path.of("..data", "alice"));

        Tokens tokens = Tokens.read(dir);

        assertThat(tokens.principals()).containsExactly("alice");
        assertThat(tokens.principalOf(ALICE)).contains("alice");
    }

    @Test
    void aShortTokenAndATokenTwoPrincipalsShareAreIgnoredWithAReason() throws IOException {
        Files.writeString(dir.resolve("short"), "123456789012345");
        Files.writeString(dir.resolve("alice"), ALICE);
        Files.writeString(dir.resolve("mallory"), ALICE);
        Files.writeString(dir.resolve("bob"), BOB);

        Tokens tokens = Tokens.read(dir);

        assertThat(tokens.principals()).containsExactly("bob");
        assertThat(tokens.principalOf(ALICE)).isEmpty();
        assertThat(tokens.problems())
                .anyMatch(p -> p.contains("short") && p.contains("shorter than 16"))
                .anyMatch(p -> p.contains("alice and mallory have the same token"));
    }

    @Test
    void anEmptyOrMissingDirectoryHoldsNoTokenSoEverythingIsRefused() {
        assertThat(Tokens.read(dir).isEmpty()).isTrue();
        Tokens missing = Tokens.read(dir.resolve("absent"));
        assertThat(missing.isEmpty()).isTrue();
        assertThat(missing.principalOf(ALICE)).isEmpty();
        assertThat(missing.problems()).singleElement().asString().contains("is not a directory");
    }

    @Test
    void theComparisonTakesAsLongForANearMissAsForATotalMiss() throws IOException {
        for (int i = 0; i < 50; i++) {
            Files.writeString(dir.resolve("p" + i), "token-" + i + "-0123456789abcdef");
        }
        Tokens tokens = Tokens.read(dir);
        String nearMiss = "token-49-0123456789abcdeX";
        String totalMiss = "Z".repeat(nearMiss.length());
        // warm up, then compare medians: every comparison is between SHA-256 digests over all entries, so the
        // time cannot depend on how much of a token matched (a naive equals would return early on totalMiss)
        median(tokens, nearMiss);
        median(tokens, totalMiss);
        long near = median(tokens, nearMiss);
        long total = median(tokens, totalMiss);
        assertThat((double) Math.max(near, total) / Math.min(near, total)).isLessThan(3.0);
    }

    @Test
    void theStoreRefusesATokensDirThatIsAFileNamingTheKey() throws IOException {
        Path file = Files.writeString(dir.resolve("tokens.txt"), "alice " + ALICE);
        assertThatThrownBy(() -> new TokenStore(config(file, Duration.ofSeconds(30))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connguard.auth.tokens-dir=" + file + " is not a directory");
    }

    @Test
    void theStoreReadsARotatedTokenOnceTheReadingIsOlderThanReloadAfter() throws IOException {
        Files.writeString(dir.resolve("alice"), ALICE);
        TokenStore store = new TokenStore(config(dir, Duration.ZERO));
        assertThat(store.tokens().principalOf(ALICE)).contains("alice");

        Files.writeString(dir.resolve("alice"), BOB);

        assertThat(store.tokens().principalOf(ALICE)).isEmpty();
        assertThat(store.tokens().principalOf(BOB)).contains("alice");
    }

    @Test
    void noDirectoryConfiguredMeansNoToken() {
        TokenStore store = new TokenStore(config(null, Duration.ofSeconds(30)));
        assertThat(store.tokens().isEmpty()).isTrue();
        assertThat(store.tokens().problems()).containsExactly("connguard.auth.tokens-dir is not set");
    }

    private static long median(Tokens tokens, String token) {
        long[] times = new long[2001];
        for (int i = 0; i < times.length; i++) {
            long start = System.nanoTime();
            tokens.principalOf(token);
            times[i] = System.nanoTime() - start;
        }
        java.util.Arrays.sort(times);
        return times[times.length / 2];
    }

    private static AuthConfig config(Path dir, Duration reloadAfter) {
        return new AuthConfig() {
            @Override
            public Optional<Path> tokensDir() {
                return Optional.ofNullable(dir);
            }

            @Override
            public boolean readRequiresToken() {
                return false;
            }

            @Override
            public Duration reloadAfter() {
                return reloadAfter;
            }

            @Override
            public Map<String, List<String>> roles() {
                return Map.of();
            }
        };
    }
}
