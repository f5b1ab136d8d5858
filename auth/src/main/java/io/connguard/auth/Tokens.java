package io.connguard.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The bearer tokens of one reading of the token directory: principal by the SHA-256 of its token. Only digests are
 * kept, so a heap dump holds no token, and every comparison is between 32-byte values.
 *
 * <p>A file is skipped, with a reason in {@link #problems()}, when its token is shorter than {@value #MIN_LENGTH}
 * characters or when another principal has the same token (either name could be the one recorded). Names starting
 * with a dot ({@code ..data}, the links Kubernetes swaps on a Secret update) and directories are not principals.
 */
public final class Tokens {

    /** Shortest token accepted: 16 characters of {@code openssl rand -hex 32} output is 64 bits. */
    public static final int MIN_LENGTH = 16;

    private final Map<String, byte[]> digests;
    private final List<String> problems;

    private Tokens(Map<String, byte[]> digests, List<String> problems) {
        this.digests = digests;
        this.problems = List.copyOf(problems);
    }

    /** No token at all: every mutating request is refused. */
    public static Tokens none(String why) {
        return new Tokens(Map.of(), List.of(why));
    }

    /** Reads {@code dir}: one principal per regular file; a missing directory holds no token. */
    public static Tokens read(Path dir) {
        if (!Files.isDirectory(dir)) {
            return none(dir + " is not a directory");
        }
        List<String> problems = new ArrayList<>();
        Map<String, String> tokens = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                String principal = file.getFileName().toString();
                if (principal.startsWith(".") || !Files.isRegularFile(file)) {
                    continue;
                }
                String token = Files.readString(file, StandardCharsets.UTF_8).strip();
                if (token.length() < MIN_LENGTH) {
                    problems.add(file + ": token shorter than " + MIN_LENGTH + " characters, ignored");
                } else {
                    tokens.put(principal, token);
                }
            }
        } catch (IOException e) {
            return none("cannot read " + dir + ": " + e.getMessage());
        }
        Map<String, byte[]> digests = new HashMap<>();
        Map<String, String> owner = new HashMap<>();
        tokens.forEach((principal, token) -> {
            String other = owner.putIfAbsent(token, principal);
            if (other == null) {
                digests.put(principal, sha256(token));
            } else {
                digests.remove(other);
                problems.add(dir + ": " + other + " and " + principal + " have the same token, both ignored");
            }
        });
        return new Tokens(Map.copyOf(digests), problems);
    }

    /** The principal holding {@code token}; compares with every known token in constant time. */
    public Optional<String> principalOf(String token) {
        byte[] presented = sha256(token);
        String found = null;
        // no early exit: the time taken must not depend on which entry, if any, matched
        for (Map.Entry<String, byte[]> entry : digests.entrySet()) {
            if (MessageDigest.isEqual(entry.getValue(), presented)) {
                found = entry.getKey();
            }
        }
        return Optional.ofNullable(found);
    }

    public boolean isEmpty() {
        return digests.isEmpty();
    }

    /** The principals with a valid token, sorted. */
    public List<String> principals() {
        return digests.keySet().stream().sorted().toList();
    }

    /** Why files were skipped, or why there is no token at all. */
    public List<String> problems() {
        return problems;
    }

    /** Same principals with the same tokens. */
    boolean sameAs(Tokens other) {
        return digests.size() == other.digests.size()
                && digests.entrySet().stream()
                        .allMatch(e -> MessageDigest.isEqual(e.getValue(), other.digests.get(e.getKey())));
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
