package io.connguard.audit.incident;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;

/**
 * A keyset position in the incident list (ordered by opened time, then id, both descending): opaque to clients,
 * stable while incidents are added, and cheap for the database (an index range scan, no OFFSET).
 */
public record Cursor(Instant openedAt, String incidentId) {

    private static final char SEPARATOR = '|';

    public String encode() {
        String plain = openedAt.toString() + SEPARATOR + incidentId;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    /** @throws IllegalArgumentException when the text is not a cursor this service produced */
    public static Cursor decode(String text) {
        try {
            String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
            int separator = plain.indexOf(SEPARATOR);
            if (separator < 0) {
                throw new IllegalArgumentException("not a cursor: " + text);
            }
            return new Cursor(Instant.parse(plain.substring(0, separator)), plain.substring(separator + 1));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not a cursor: " + text, e);
        }
    }
}
