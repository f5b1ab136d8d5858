package io.connguard.audit.incident;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One event of an incident's timeline, with the fields a reader of the timeline needs pulled out of its payload;
 * {@code data} is the payload as stored.
 *
 * @param seq storage sequence number
 * @param id CloudEvent id
 * @param time CloudEvent time
 * @param sinceOnsetMs milliseconds from the incident's onset to {@code time}
 * @param type CloudEvent type
 * @param kind PRESSURE, ACTION or OTHER (a type this service does not know)
 * @param summary one line for humans
 * @param level pressure: the level
 * @param ratio pressure: connections / usable capacity
 * @param connections pressure: client connections ({@code connections.total})
 * @param capacity pressure: usable capacity ({@code capacity.usable})
 * @param sampledAt pressure: when the database was sampled
 * @param reason pressure: why it was published; action: why it was decided
 * @param actionId action: idempotency key, shared by the events of one action
 * @param action action: kind of action
 * @param outcome action: what became of it
 * @param mode action: ENFORCE or DRY_RUN
 * @param command action: the command run or planned ({@code system}, {@code text}, {@code target})
 * @param policyStep action: the policy step that decided
 * @param causationId action: id of the pressure event that caused it
 * @param causedBySeq action: seq of that pressure event in this timeline, when it is there
 * @param error action: failure detail
 * @param data the stored payload
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TimelineEntry(
        long seq,
        String id,
        Instant time,
        long sinceOnsetMs,
        String type,
        Kind kind,
        String summary,
        String level,
        Double ratio,
        Integer connections,
        Integer capacity,
        Instant sampledAt,
        String reason,
        String actionId,
        String action,
        String outcome,
        String mode,
        JsonNode command,
        String policyStep,
        String causationId,
        Long causedBySeq,
        String error,
        JsonNode data) {

    public enum Kind {
        PRESSURE,
        ACTION,
        OTHER
    }
}
