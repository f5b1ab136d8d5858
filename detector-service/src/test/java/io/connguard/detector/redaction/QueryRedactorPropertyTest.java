package io.connguard.detector.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * No literal of a statement survives redaction, whatever its kind and content: statements are built from tokens as
 * PostgreSQL's lexer reads them, and every literal and comment carries a {@link #CANARY} that must never reach the
 * redacted text (nor any digit of a number). Tokens are joined by whitespace, or glued where the lexer still reads
 * them apart (a dollar quote right after a number, a string after a bracket), never where gluing would change what is
 * a literal (an identifier followed by a quote). The bugs these properties found are pinned as examples in
 * {@link QueryRedactorTest}.
 */
class QueryRedactorPropertyTest {

    /** In every literal and comment; nothing else in a generated statement contains it. */
    private static final String CANARY = "zqzsecret";

    /**
     * Digits outside the {@code $n} placeholders and parameters, and outside the tag of a dollar quote cut before its
     * body ({@code $_x1}, which holds no literal): a number that leaked.
     */
    private static final Pattern PARAMETER =
            Pattern.compile("\\$[0-9]+|\\$[A-Za-z_\\x{80}-\\x{10FFFF}][A-Za-z0-9_\\x{80}-\\x{10FFFF}]*\\$?");

    private final QueryRedactor redactor = new QueryRedactor(100_000);

    @Property
    void noLiteralCommentOrNumberSurvives(@ForAll("statements") String sql) {
        assertLeaksNothing(sql, redactor.redact(sql).query());
    }

    @Property
    void noLiteralSurvivesWhenBackslashesEscapeQuotes(@ForAll("backslashQuoteStatements") String sql) {
        // standard_conforming_strings = off: 'it\'s' is one literal; the redactor cannot know the session's setting
        assertLeaksNothing(sql, redactor.redact(sql).query());
    }

    @Property
    void aStatementCutAnywhereLeaksNothing(
            @ForAll("statements") String sql, @ForAll @IntRange(min = 0, max = 2_000) int cut) {
        // the server keeps only track_activity_query_size bytes of a statement
        String truncated = sql.substring(0, Math.min(cut, sql.length()));
        String redacted = redactor.redact(truncated).query();
        assertLeaksNothing(truncated, redacted == null ? "" : redacted);
    }

    /** Found by the cut property: the tag's digit is no number. */
    @Example
    void aDollarQuoteCutInsideItsTagLeaksNothing() {
        String truncated = "$_x1$zqzsecretzqzsecret$_x1$".substring(0, 4);
        assertLeaksNothing(truncated, redactor.redact(truncated).query());
    }

    private static void assertLeaksNothing(String sql, String redacted) {
        assertThat(redacted).as("redacted from:%n%s", sql).doesNotContain(CANARY);
        assertThat(PARAMETER.matcher(redacted).replaceAll(""))
                .as("digits outside placeholders, redacted from:%n%s", sql)
                .doesNotContainPattern("[0-9]");
    }

    @Provide
    Arbitrary<String> statements() {
        return statements(false);
    }

    @Provide
    Arbitrary<String> backslashQuoteStatements() {
        return statements(true);
    }

    private static Arbitrary<String> statements(boolean backslashQuotes) {
        Function<String, String> plain =
                backslashQuotes ? QueryRedactorPropertyTest::backslashEscaped : QueryRedactorPropertyTest::doubled;
        Arbitrary<Token> literal = Arbitraries.oneOf(
                content().map(c -> Token.literal("'" + plain.apply(c) + "'")),
                Combinators.combine(Arbitraries.of("N", "n"), content())
                        .as((prefix, c) -> Token.literal(prefix + "'" + plain.apply(c) + "'")),
                escapeStrings(),
                backslashQuotes ? escapeStrings() : unicodeStrings(),
                Arbitraries.of("B'0101'", "b'1'", "X'1f'", "x'FF00'").map(Token::literal),
                dollarQuoted());
        Arbitrary<Token> token = Arbitraries.oneOf(
                words(), punctuation(), parameters(), numbers(), literal, literal, lineComments(), blockComments());
        Arbitrary<Piece> piece = Combinators.combine(token, Arbitraries.of(" ", "\n", "\t", "  ", "", "", ""))
                .as(Piece::new);
        return piece.list().ofMinSize(1).ofMaxSize(20).map(QueryRedactorPropertyTest::join);
    }

    /** Content of a literal or comment before its kind's escaping: quotes, backslashes, dollars, comment marks. */
    private static Arbitrary<String> content() {
        return Arbitraries.of(
                        "a", "Bc d", "'", "''", "\\", "\\'", "\\\\", "$", "$$", "$t$", "$1", "--", "/*", "*/", "\n",
                        "\r", "é€", "\"", ";", "E'", "x'", "0.5", " ")
                .list()
                .ofMaxSize(8)
                .map(parts -> CANARY + String.join("", parts) + CANARY);
    }

    /** E'...': a backslash escapes the next character; also real escape sequences. */
    private static Arbitrary<Token> escapeStrings() {
        return Combinators.combine(
                        Arbitraries.of("E", "e"),
                        content(),
                        Arbitraries.of("", "\\n", "\\x41", "\\101", "\\u00e9", "\\'", "''", "\\\\"))
                .as((prefix, c, escape) -> Token.literal(prefix + "'" + backslashEscaped(c) + escape + CANARY + "'"));
    }

    /** U&'...': quotes doubled, a backslash written as two (its escapes are Unicode code points). */
    private static Arbitrary<Token> unicodeStrings() {
        return content().map(c -> Token.literal("U&'" + doubled(c.replace("\\", "\\\\")) + "'"));
    }

    private static Arbitrary<Token> dollarQuoted() {
        return Combinators.combine(Arbitraries.of("", "t", "body", "_x1", "é"), content())
                .as((tag, c) -> "$" + tag + "$" + c + "$" + tag + "$")
                .filter(quoted -> {
                    String delimiter = quoted.substring(0, quoted.indexOf('$', 1) + 1);
                    String body = quoted.substring(delimiter.length(), quoted.length() - delimiter.length());
                    return !body.contains(delimiter);
                })
                .map(Token::literal);
    }

    private static Arbitrary<Token> lineComments() {
        return content().map(c -> Token.comment("--" + c.replace('\n', ' ').replace('\r', ' ') + "\n"));
    }

    /** Nested block comments; a canary on each side of every piece keeps a stray '*' or '/' from closing one. */
    private static Arbitrary<Token> blockComments() {
        return Combinators.combine(content(), content(), content(), Arbitraries.of(true, false))
                .as((outer, inner, rest, nested) -> Token.comment("/*" + commentText(outer)
                        + (nested ? "/*" + commentText(inner) + "*/" : "")
                        + commentText(rest) + "*/"));
    }

    private static String commentText(String content) {
        String text = content;
        while (text.contains("/*") || text.contains("*/")) {
            text = text.replace("/*", "/ *").replace("*/", "* /");
        }
        return text;
    }

    private static Arbitrary<Token> words() {
        return Arbitraries.of(
                        "SELECT",
                        "FROM",
                        "WHERE",
                        "AND",
                        "users",
                        "t",
                        "note",
                        "x_y",
                        "E",
                        "N",
                        "U",
                        "v$session",
                        "naïve",
                        "größe",
                        "prix€",
                        "€$$",
                        "\"Quoted Id\"")
                .map(Token::word);
    }

    private static Arbitrary<Token> punctuation() {
        return Arbitraries.of("(", ")", ",", ";", "=", "<", ">", "+", "*", "::", "||", ".")
                .map(Token::punctuation);
    }

    private static Arbitrary<Token> parameters() {
        return Arbitraries.of("$1", "$2", "$3").map(Token::numeric);
    }

    private static Arbitrary<Token> numbers() {
        return Arbitraries.oneOf(
                        Arbitraries.integers().between(0, 999_999).map(String::valueOf),
                        Arbitraries.of(
                                "3.14", ".5", "5.", "1e10", "1.5e-3", "2E+7", "0x1F", "0o17", "0b101", "1_000_000"))
                .map(Token::numeric);
    }

    private static String doubled(String content) {
        return content.replace("'", "''");
    }

    private static String backslashEscaped(String content) {
        return content.replace("\\", "\\\\").replace("'", "\\'");
    }

    /**
     * Whitespace or nothing between tokens; nothing only where the lexer still ends the first token there: never after
     * a word (it would swallow a following {@code $} or change {@code E} into a prefix), and after a number or
     * parameter only before a quote, a dollar quote or punctuation; never a quote after a quote.
     */
    private static String join(List<Piece> pieces) {
        StringBuilder sql = new StringBuilder(pieces.get(0).token().text());
        for (int i = 1; i < pieces.size(); i++) {
            Token previous = pieces.get(i - 1).token();
            Token token = pieces.get(i).token();
            String separator = pieces.get(i).separator();
            if (separator.isEmpty() && !previous.gluesTo(token)) {
                separator = " ";
            }
            sql.append(separator).append(token.text());
        }
        return sql.toString();
    }

    private record Piece(Token token, String separator) {}

    private enum Kind {
        WORD,
        NUMERIC,
        OTHER
    }

    private record Token(String text, Kind kind) {
        static Token word(String text) {
            return new Token(text, text.startsWith("\"") ? Kind.OTHER : Kind.WORD);
        }

        static Token numeric(String text) {
            return new Token(text, Kind.NUMERIC);
        }

        static Token literal(String text) {
            return new Token(text, Kind.OTHER);
        }

        static Token comment(String text) {
            return new Token(text, Kind.OTHER);
        }

        static Token punctuation(String text) {
            return new Token(text, Kind.OTHER);
        }

        boolean gluesTo(Token next) {
            return switch (kind) {
                case WORD -> false;
                case NUMERIC -> "'$(),;=<>+*:|-/\"".indexOf(next.text().charAt(0)) >= 0;
                // two quoted literals glued are one literal whose escapes follow the first one's kind
                case OTHER -> !(text.endsWith("'") && next.text().startsWith("'"));
            };
        }
    }
}
