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
                while (end < sql.length() && isDigit(sql.charAt(end))) {
                    end++;
                }
                if (end > i + 1 && end - i < 10) {
                    highest = Math.max(highest, Integer.parseInt(sql.substring(i + 1, end)));
                }
            }
        }
        return highest;
    }

    // character classes as PostgreSQL's lexer (scan.l) has them: any non-ASCII character belongs to an identifier,
    // so "€$$" is one identifier, not the start of a dollar quote; a lexer that disagreed would lose track of where
    // literals start and end, and show one

    private static boolean isIdentifierStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    private static boolean isIdentifierPart(char c) {
        return isIdentifierStart(c) || isDigit(c) || c == '$';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u000B';
    }

    /** How a string literal escapes its closing quote besides doubling it. */
    private enum Escapes {
        /** None (B'...', X'...', U&'...'). */
        NONE,
        /** A backslash escapes the next character (E'...'). */
        BACKSLASH,
        /** Plain and N'...' literals: a backslash escapes only with standard_conforming_strings off. */
        BY_SETTING
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
                if (isWhitespace(c)) {
                    skipWhitespace();
                } else if (c == '-' && peek(1) == '-') {
                    skipLineComment();
                } else if (c == '/' && peek(1) == '*') {
                    skipBlockComment();
                } else if (c == '\'') {
                    quoted(i, Escapes.BY_SETTING);
                } else if (isLiteralPrefix(c) && peek(1) == '\'') {
                    quoted(i + 1, literalEscapes(c));
                } else if ((c == 'u' || c == 'U') && peek(1) == '&' && peek(2) == '\'') {
                    quoted(i + 2, Escapes.NONE);
                } else if (c == '"') {
                    quotedIdentifier();
                } else if (c == '$' && dollarTagEnd() > 0) {
                    dollarQuoted(dollarTagEnd());
                } else if (c == '$' && isDigit(peek(1))) {
                    parameter();
                } else if (isDigit(c) || (c == '.' && isDigit(peek(1)))) {
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

        /** E'...' always takes backslash escapes; N'...' is a plain string; B'...' and X'...' take none. */
        private static Escapes literalEscapes(char prefix) {
            return switch (prefix) {
                case 'e', 'E' -> Escapes.BACKSLASH;
                case 'n', 'N' -> Escapes.BY_SETTING;
                default -> Escapes.NONE;
            };
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
            while (i < sql.length() && isWhitespace(sql.charAt(i))) {
                i++;
            }
            separate();
        }

        private void skipLineComment() {
            while (i < sql.length() && sql.charAt(i) != '\n' && sql.charAt(i) != '\r') {
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

        /**
         * A string literal starting at the quote. Where a plain literal ends depends on standard_conforming_strings
         * (off: a backslash escapes the quote after it), a setting of the client's session that the redactor cannot
         * see. When the two readings end it at different places, everything from the literal on is hidden: under the
         * other reading any of it may be literal text.
         */
        private void quoted(int quote, Escapes escapes) {
            int end = literalEnd(quote, escapes == Escapes.BACKSLASH);
            boolean ambiguous = escapes == Escapes.BY_SETTING && literalEnd(quote, true) != end;
            i = ambiguous ? sql.length() : end;
            placeholder();
        }

        /** End (exclusive) of the literal whose opening quote is at {@code quote}; the text's end if unterminated. */
        private int literalEnd(int quote, boolean backslashEscapes) {
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
            return Math.min(at, sql.length());
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

        /**
         * End (exclusive) of a {@code $tag$} opening at {@code i}, or -1 when this {@code $} opens none. A {@code $}
         * inside an identifier never gets here (the word took it); right after a number or a parameter it does open
         * a dollar quote, as {@code 1$$text$$} does for the server.
         */
        private int dollarTagEnd() {
            int at = i + 1;
            if (at < sql.length() && isDigit(sql.charAt(at))) {
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
            while (at < sql.length() && isDigit(sql.charAt(at))) {
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
                if ((isIdentifierPart(c) && c != '$') || c == '.' || exponentSign) {
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
