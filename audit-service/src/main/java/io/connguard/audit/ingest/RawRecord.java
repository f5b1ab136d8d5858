package io.connguard.audit.ingest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** A record exactly as it arrived: what the quarantine keeps of a record that cannot be stored as an event. */
public record RawRecord(KafkaPosition position, String key, ArrayNode headers, byte[] value) {

    public static RawRecord of(ConsumerRecord<String, byte[]> record) {
        ArrayNode headers = JsonNodeFactory.instance.arrayNode();
        for (Header header : record.headers()) {
            ObjectNode h = headers.addObject().put("key", header.key());
            if (header.value() != null) {
                String text = utf8(header.value());
                // PostgreSQL text cannot hold NUL: such values are kept as base64 too
                if (text != null && text.indexOf('\0') < 0) {
                    h.put("value", text);
                } else {
                    h.put("base64", Base64.getEncoder().encodeToString(header.value()));
                }
            }
        }
        String key = record.key() == null ? null : record.key().replace("\0", "\\u0000");
        return new RawRecord(KafkaPosition.of(record), key, headers, record.value());
    }

    /** A quarantine entry for this record. */
    public Quarantined quarantine(String reason) {
        return new Quarantined(this, reason == null ? "unknown" : reason.replace("\0", "\\u0000"));
    }

    // strict decoding: header bytes that are not UTF-8 are kept as base64 instead of being mangled
    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
