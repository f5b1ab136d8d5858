package io.connguard.detector.redaction;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Makes query text safe to leave the process: every literal (quoted string, {@code E'...'}, {@code B'...'},
 * {@code X'...'}, dollar-quoted body, number) becomes a {@code $n} placeholder numbered after the statement's own
 * parameters, comments are dropped, whitespace collapses, and the result is cut to a maximum length. Quoted
 * identifiers are kept. A literal that the server truncated ({@code track_activity_query_size}) runs to the end of the
 * text and is replaced as well, so a cut-off secret never leaks.
 *
 * <p>The fingerprint is a hash of the full redacted text with every placeholder written as {@code ?} and folded to
 * lower case: equal for statements of the same shape whatever their literals. Pure and thread-safe.
 */
public final class QueryRedactor {

    private static final String ELLIPSIS = "…";
    private static final int FINGERPRINT_BYTES = 8;

    private final int maxLength;

    public QueryRedactor(int maxLength) {
        if (maxLength < 1) {
            throw new IllegalArgumentException("maxLength must be positive: " + maxLength);
        }
        this.maxLength = maxLength;
    }

    /** Redacted text and fingerprint of one statement. */
    public record Redacted(String query, String fingerprint) {}

    public Redacted redact(String sql) {
        if (sql == null || sql.isBlank()) {
            return new Redacted(null, null);
        }
        Scan scan = new Scan(sql, highestParameter(sql));
        scan.run();
        String text = scan.text.toString().strip();
        String shown = text.length() <= maxLength ? text : text.substring(0, maxLength) + ELLIPSIS;
        return new Redacted(shown, fingerprint(scan.shape.toString().strip()));
    }

    private static String fingerprint(String shape) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(shape.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, FINGERPRINT_BYTES);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** The highest {@code $n} the statement already uses, so new placeholders never collide with it. */
    private static int highestParameter(String sql) {
        int highest = 0;
        for (int i = 0; i < sql.length(); i++) {
            if (sql.charAt(i) == '$' && (i == 0 || !isIdentifierPart(sql.charAt(i - 1)))) {
                int end = i + 1;
                while (end < sql.length() && Character.isDigit(sql.charAt(end))) {
                    end++;
                }
                if (end > i + 1 && end - i < 10) {
                    highest = Math.max(highest, Integer.parseInt(sql.substring(i + 1, end)));
                }
            }
        }
        return highest;
    }

    private static boolean isIdentifierStart(char c) {
        return Character.isLetter(c) || c == '_';
    }

    private static boolean isIdentifierPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    /** One left-to-right pass that writes the shown text and the fingerprint shape side by side. */
    private static final class Scan {
        private final String sql;
        private final StringBuilder text = new StringBuilder();
        private final StringBuilder shape = new StringBuilder();
        private int next;
        private int i;

        Scan(String sql, int highestParameter) {
            this.sql = sql;
            this.next = highestParameter + 1;
        }

        void run() {
            while (i < sql.length()) {
                char c = sql.charAt(i);
                if (Character.isWhitespace(c)) {
                    skipWhitespace();
                } else if (c == '-' && peek(1) == '-') {
                    skipLineComment();
                } else if (c == '/' && peek(1) == '*') {
                    skipBlockComment();
                } else if (c == '\'') {
                    quoted(i, false);
                } else if (isLiteralPrefix(c) && peek(1) == '\'') {
                    quoted(i + 1, c == 'e' || c == 'E');
                } else if ((c == 'u' || c == 'U') && peek(1) == '&' && peek(2) == '\'') {
                    quoted(i + 2, false);
                } else if (c == '"') {
                    quotedIdentifier();
                } else if (c == '$' && dollarTagEnd() > 0) {
                    dollarQuoted(dollarTagEnd());
                } else if (c == '$' && Character.isDigit(peek(1))) {
                    parameter();
                } else if (Character.isDigit(c) || (c == '.' && Character.isDigit(peek(1)))) {
                    number();
                } else if (isIdentifierStart(c)) {
                    word();
                } else {
                    emit(String.valueOf(c));
                    i++;
                }
            }
        }

        private char peek(int ahead) {
            int at = i + ahead;
            return at < sql.length() ? sql.charAt(at) : '\0';
        }

        private static boolean isLiteralPrefix(char c) {
            return "eEbBxXnN".indexOf(c) >= 0;
        }

        private void emit(String token) {
            text.append(token);
            shape.append(token);
        }

        private void placeholder() {
            text.append('$').append(next++);
            shape.append('?');
        }

        private void separate() {
            if (text.length() > 0 && text.charAt(text.length() - 1) != ' ') {
                emit(" ");
            }
        }

        private void skipWhitespace() {
            while (i < sql.length() && Character.isWhitespace(sql.charAt(i))) {
                i++;
            }
            separate();
        }

        private void skipLineComment() {
            while (i < sql.length() && sql.charAt(i) != '\n') {
                i++;
            }
            separate();
        }

        private void skipBlockComment() {
            int depth = 0;
            while (i < sql.length()) {
                if (sql.startsWith("/*", i)) {
                    depth++;
                    i += 2;
                } else if (sql.startsWith("*/", i)) {
                    depth--;
                    i += 2;
                    if (depth == 0) {
                        break;
                    }
                } else {
                    i++;
                }
            }
            separate();
        }

        /** A string literal starting at the quote; {@code backslashEscapes} for E'...' strings. */
        private void quoted(int quote, boolean backslashEscapes) {
            int at = quote + 1;
            while (at < sql.length()) {
                char c = sql.charAt(at);
                if (backslashEscapes && c == '\\') {
                    at += 2;
                } else if (c == '\'' && at + 1 < sql.length() && sql.charAt(at + 1) == '\'') {
                    at += 2;
                } else if (c == '\'') {
                    at++;
                    break;
                } else {
                    at++;
                }
            }
            i = Math.min(at, sql.length());
            placeholder();
        }

        private void quotedIdentifier() {
            int at = i + 1;
            while (at < sql.length()) {
                if (sql.charAt(at) == '"' && at + 1 < sql.length() && sql.charAt(at + 1) == '"') {
                    at += 2;
                } else if (sql.charAt(at) == '"') {
                    at++;
                    break;
                } else {
                    at++;
                }
            }
            at = Math.min(at, sql.length());
            emit(sql.substring(i, at));
            i = at;
        }

        /** End (exclusive) of a {@code $tag$} opening at {@code i}, or -1 when this {@code $} opens none. */
        private int dollarTagEnd() {
            if (i > 0 && isIdentifierPart(sql.charAt(i - 1))) {
                return -1;
            }
            int at = i + 1;
            if (at < sql.length() && Character.isDigit(sql.charAt(at))) {
                return -1;
            }
            while (at < sql.length() && isIdentifierPart(sql.charAt(at)) && sql.charAt(at) != '$') {
                at++;
            }
            return at < sql.length() && sql.charAt(at) == '$' ? at + 1 : -1;
        }

        private void dollarQuoted(int tagEnd) {
            String tag = sql.substring(i, tagEnd);
            int close = sql.indexOf(tag, tagEnd);
            i = close < 0 ? sql.length() : close + tag.length();
            placeholder();
        }

        private void parameter() {
            int at = i + 1;
            while (at < sql.length() && Character.isDigit(sql.charAt(at))) {
                at++;
            }
            text.append(sql, i, at);
            shape.append('?');
            i = at;
        }

        private void number() {
            int at = i;
            if (sql.startsWith("0x", at) || sql.startsWith("0X", at)) {
                at += 2;
            }
            while (at < sql.length()) {
                char c = sql.charAt(at);
                boolean exponentSign =
                        (c == '+' || c == '-') && (sql.charAt(at - 1) == 'e' || sql.charAt(at - 1) == 'E');
                if (Character.isLetterOrDigit(c) || c == '.' || c == '_' || exponentSign) {
                    at++;
                } else {
                    break;
                }
            }
            i = at;
            placeholder();
        }

        private void word() {
            int at = i;
            while (at < sql.length() && isIdentifierPart(sql.charAt(at))) {
                at++;
            }
            emit(sql.substring(i, at));
            i = at;
        }
    }
}
