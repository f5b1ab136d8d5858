package io.connguard.audit.incident;

import com.fasterxml.jackson.databind.JsonNode;
import io.connguard.audit.store.StoredEvent;
import io.connguard.events.EventJson;
import io.connguard.events.Level;
import java.time.Instant;
import java.util.List;

/** Stored events and incidents built by hand, for the renderers' unit tests: payloads any producer could write. */
final class StoredEvents {

    static final Instant ONSET = Instant.parse("2026-03-14T09:26:50Z");

    private StoredEvents() {}

    static StoredEvent event(long seq, String id, String type, long atMs, String json) {
        try {
            JsonNode data = EventJson.mapper().readTree(json);
            return new StoredEvent(
                    seq,
                    id,
                    "urn:test",
                    type,
                    "orders-db",
                    ONSET.plusMillis(atMs),
                    "inc-1",
                    data,
                    "connguard.test",
                    0,
                    seq,
                    ONSET.plusMillis(atMs),
                    seq,
                    "hash-" + seq);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    /** The timeline of an open incident of {@code target} with these events; the first one is the peak. */
    static Timeline timeline(String incidentId, String target, List<StoredEvent> events) {
        Incident incident = new Incident(
                incidentId,
                target,
                ONSET,
                ONSET.plusMillis(40),
                null,
                null,
                null,
                Level.CRITICAL,
                0.95,
                events.get(0).seq(),
                1,
                events.size(),
                events.get(events.size() - 1).time());
        return Timeline.of(incident, events);
    }
}
