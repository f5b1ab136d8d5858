package io.connguard.audit.api;

import io.connguard.audit.incident.Cursor;
import io.connguard.audit.incident.Incident;
import io.connguard.audit.incident.IncidentPage;
import io.connguard.audit.incident.IncidentQuery;
import io.connguard.audit.incident.IncidentReports;
import io.connguard.audit.incident.IncidentStore;
import io.connguard.audit.incident.Postmortem;
import io.connguard.audit.incident.PostmortemMarkdown;
import io.connguard.audit.incident.Timeline;
import io.connguard.audit.incident.TimelineCsv;
import io.connguard.events.Level;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** Incidents, their timelines and postmortem drafts. Read-only. */
@Path("/api/incidents")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class IncidentsResource {

    static final int MAX_LIMIT = 500;
    static final String MARKDOWN = "text/markdown;charset=UTF-8";
    static final String CSV = "text/csv;charset=UTF-8";

    private final IncidentStore incidents;
    private final IncidentReports reports;

    IncidentsResource(IncidentStore incidents, IncidentReports reports) {
        this.incidents = incidents;
        this.reports = reports;
    }

    @GET
    @Operation(summary = "Incidents, newest first, one page at a time (keyset pagination)")
    @APIResponse(responseCode = "200", description = "a page; pass nextCursor as cursor for the next one")
    @APIResponse(responseCode = "400", description = "a filter or the cursor is not valid")
    public IncidentPage list(
            @Parameter(description = "only this target") @QueryParam("target") String target,
            @Parameter(description = "only incidents opened at or after this time (RFC 3339)") @QueryParam("from")
                    String from,
            @Parameter(description = "only incidents opened before this time (RFC 3339)") @QueryParam("to") String to,
            @Parameter(
                            description = "only incidents whose peak level is at least this: OK, ELEVATED, CRITICAL"
                                    + " (UNKNOWN: only incidents without a measured level)")
                    @QueryParam("level")
                    String level,
            @Parameter(description = "page size, 1 to 500 (default 50)") @QueryParam("limit") Integer limit,
            @Parameter(description = "nextCursor of the previous page") @QueryParam("cursor") String cursor) {
        int size = limit == null ? 50 : limit;
        if (size < 1 || size > MAX_LIMIT) {
            throw new ProblemException(
                    400, "Invalid limit", "limit must be between 1 and " + MAX_LIMIT + ", was " + size);
        }
        return incidents.list(new IncidentQuery(
                blankToNull(target), time("from", from), time("to", to), level(level), cursor(cursor), size));
    }

    @GET
    @Path("{id}")
    @Operation(summary = "One incident: opened, resolved, peak, actions, time to detect / act / mitigate / resolve")
    @APIResponse(responseCode = "404", description = "unknown incident")
    public Incident get(@PathParam("id") String id) {
        return incidents.find(id).orElseThrow(() -> unknown(id));
    }

    @GET
    @Path("{id}/timeline")
    @Operation(summary = "Every event of the incident in time order, each action linked to the event that caused it")
    @APIResponse(responseCode = "404", description = "unknown incident")
    public Timeline timeline(@PathParam("id") String id) {
        return reports.timeline(id).orElseThrow(() -> unknown(id));
    }

    @GET
    @Path("{id}/timeline.csv")
    @Produces(CSV)
    @Operation(summary = "The timeline as CSV")
    @APIResponse(responseCode = "404", description = "unknown incident")
    public Response timelineCsv(@PathParam("id") String id) {
        Timeline timeline = reports.timeline(id).orElseThrow(() -> unknown(id));
        return download(TimelineCsv.render(timeline), CSV, id + "-timeline.csv");
    }

    @GET
    @Path("{id}/postmortem")
    @Operation(summary = "The postmortem material as JSON: milestones, top clients at the peak, commands, timeline")
    @APIResponse(responseCode = "404", description = "unknown incident")
    public Postmortem postmortem(@PathParam("id") String id) {
        return reports.postmortem(id).orElseThrow(() -> unknown(id));
    }

    @GET
    @Path("{id}/postmortem.md")
    @Produces(MARKDOWN)
    @Operation(summary = "A Markdown postmortem draft")
    @APIResponse(responseCode = "404", description = "unknown incident")
    public Response postmortemMarkdown(@PathParam("id") String id) {
        Postmortem postmortem = reports.postmortem(id).orElseThrow(() -> unknown(id));
        return download(PostmortemMarkdown.render(postmortem), MARKDOWN, id + "-postmortem.md");
    }

    private static Response download(String body, String type, String filename) {
        return Response.ok(body, type)
                .header("Content-Disposition", "inline; filename=\"" + filename.replace("\"", "") + "\"")
                .build();
    }

    private static ProblemException unknown(String id) {
        return new ProblemException(404, "Unknown incident", "no incident with id " + id);
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }

    private static Instant time(String name, String text) {
        if (blankToNull(text) == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new ProblemException(
                    400, "Invalid " + name, name + " must be an RFC 3339 time like 2026-03-14T09:26:53Z, was " + text);
        }
    }

    private static Level level(String text) {
        if (blankToNull(text) == null) {
            return null;
        }
        try {
            return Level.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ProblemException(
                    400, "Invalid level", "level must be OK, ELEVATED, CRITICAL or UNKNOWN, was " + text);
        }
    }

    private static Cursor cursor(String text) {
        if (blankToNull(text) == null) {
            return null;
        }
        try {
            return Cursor.decode(text);
        } catch (IllegalArgumentException e) {
            throw new ProblemException(400, "Invalid cursor", "cursor must be a nextCursor of this API, was " + text);
        }
    }
}
