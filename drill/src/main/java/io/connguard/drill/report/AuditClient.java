package io.connguard.drill.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.connguard.events.EventJson;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/** Reads what the audit service recorded, over its REST API, as a user would: with a bearer token. */
public final class AuditClient {

    private final URI base;
    private final String token;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public AuditClient(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    /** The incident's Markdown postmortem; empty when the audit service does not serve one (yet). */
    public Optional<String> postmortem(String incidentId) throws IOException, InterruptedException {
        HttpResponse<String> response = get(
                "/api/incidents/" + URLEncoder.encode(incidentId, StandardCharsets.UTF_8) + "/postmortem.md",
                "text/markdown");
        return response.statusCode() == 200 ? Optional.of(response.body()) : Optional.empty();
    }

    /** The stored events of a target, oldest first. */
    public JsonNode events(String subject) throws IOException, InterruptedException {
        HttpResponse<String> response = get(
                "/api/events?limit=10000&subject=" + URLEncoder.encode(subject, StandardCharsets.UTF_8),
                "application/json");
        if (response.statusCode() != 200) {
            throw new IOException("GET /api/events answered " + response.statusCode() + ": " + response.body());
        }
        return EventJson.mapper().readTree(response.body());
    }

    private HttpResponse<String> get(String path, String accept) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(base.resolve(path))
                        .header("Accept", accept)
                        .header("Authorization", "Bearer " + token)
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
