package io.connguard.audit.incident;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.connguard.events.Level;
import java.time.Duration;
import java.time.Instant;

/**
 * One incident of a target as the projection derives it from the incident's events. Every duration is measured from
 * the onset ({@code openedAt}: when the first sample that left OK was taken).
 *
 * @param incidentId the detector's incident id
 * @param target the target (events' subject)
 * @param openedAt onset: {@code sampledAt} of the first pressure sample that left OK
 * @param detectedAt when the detector published that sample (its event time)
 * @param firstActionAt start of the first action that did something (not {@code none}, not NOOP or SKIPPED)
 * @param mitigatedAt {@code sampledAt} of the first sample back at OK: connections under the threshold again
 * @param resolvedAt {@code sampledAt} of the {@code incident_resolved} sample; null while the incident is open
 * @param peakLevel highest level; UNKNOWN when every sample failed
 * @param peakRatio highest connections / usable capacity
 * @param peakSeq seq of the pressure event with the highest ratio
 * @param actionCount distinct actions (by actionId) other than {@code none}
 * @param eventCount events of the incident
 * @param lastEventAt time of its latest event
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Incident(
        String incidentId,
        String target,
        Instant openedAt,
        Instant detectedAt,
        Instant firstActionAt,
        Instant mitigatedAt,
        Instant resolvedAt,
        Level peakLevel,
        Double peakRatio,
        Long peakSeq,
        int actionCount,
        int eventCount,
        Instant lastEventAt) {

    /** {@code OPEN} until the detector resolved it, then {@code RESOLVED}. */
    @JsonProperty
    public String status() {
        return resolvedAt == null ? "OPEN" : "RESOLVED";
    }

    @JsonProperty
    public Long timeToDetectMs() {
        return sinceOnset(detectedAt);
    }

    @JsonProperty
    public Long timeToFirstActionMs() {
        return sinceOnset(firstActionAt);
    }

    @JsonProperty
    public Long timeToMitigateMs() {
        return sinceOnset(mitigatedAt);
    }

    @JsonProperty
    public Long timeToResolveMs() {
        return sinceOnset(resolvedAt);
    }

    /** Milliseconds from the onset to {@code at}; null when {@code at} is null. */
    public Long sinceOnset(Instant at) {
        return at == null ? null : Duration.between(openedAt, at).toMillis();
    }

    /** The projection's rank of a measured level (OK 0, ELEVATED 1, CRITICAL 2). */
    static int rank(Level level) {
        return switch (level) {
            case OK -> 0;
            case ELEVATED -> 1;
            case CRITICAL -> 2;
            case UNKNOWN -> throw new IllegalArgumentException("UNKNOWN has no rank");
        };
    }

    static Level level(Integer rank) {
        if (rank == null) {
            return Level.UNKNOWN;
        }
        return switch (rank) {
            case 0 -> Level.OK;
            case 1 -> Level.ELEVATED;
            case 2 -> Level.CRITICAL;
            default -> throw new IllegalArgumentException("unknown level rank " + rank);
        };
    }
}
