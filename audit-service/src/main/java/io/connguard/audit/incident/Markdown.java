package io.connguard.audit.incident;

/**
 * Inline Markdown (CommonMark + GFM tables) for values a producer or a database client chose: they show as the
 * characters they are, never as an image, a link, HTML, emphasis or a new line, and never end a table cell. Block
 * syntax (headings, lists, quotes) needs a line start, which a value never gets: line breaks become spaces and every
 * value follows text of ours on its line.
 */
final class Markdown {

    // what starts or closes an inline construct: escapes, code, emphasis, strikethrough, links and images, raw HTML
    // and autolinks, entity references, a heading's closing sequence, and a table cell's end
    private static final String SIGNIFICANT = "\\`*_~[]!<>&#|";

    private Markdown() {}

    /** {@code value} as literal text. */
    static String text(String value) {
        if (value == null) {
            return "";
        }
        StringBuilder escaped = new StringBuilder(value.length() + 8);
        for (char c : oneLine(value).toCharArray()) {
            if (SIGNIFICANT.indexOf(c) >= 0) {
                escaped.append('\\');
            }
            escaped.append(c);
        }
        return escaped.toString();
    }

    /**
     * {@code value} as a code span in a table cell: fenced by one backtick more than its longest run, padded when it
     * starts or ends with one, and its pipes escaped (GFM splits cells before it reads code spans and shows an
     * escaped pipe in a code span as a pipe).
     */
    static String codeInCell(String value) {
        String code = oneLine(value == null ? "" : value);
        int longest = 0;
        int run = 0;
        for (char c : code.toCharArray()) {
            run = c == '`' ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        String fence = "`".repeat(longest + 1);
        String pad =
                code.startsWith("`") || code.endsWith("`") || (code.startsWith(" ") && code.endsWith(" ")) ? " " : "";
        return fence + pad + code.replace("|", "\\|") + pad + fence;
    }

    private static String oneLine(String value) {
        return value.replace('\r', ' ').replace('\n', ' ');
    }
}
