package io.connguard.audit;

import static io.connguard.audit.Api.writer;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connguard.infra.kafka.TopicWriter;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The web page in a real headless Chromium: it loads, runs its scripts, draws the chart and marks every action. */
@QuarkusTest
@WithTestResource(value = AuditTestInfra.class, scope = TestResourceScope.GLOBAL)
class WebPageTest {

    @TestHTTPResource("/")
    URL root;

    @Test
    void theIncidentPageChartsConnectionsAgainstCapacityWithEveryActionAndTheTimeline() throws Exception {
        IncidentScenario incident = new IncidentScenario("web-db", Instant.parse("2026-02-10T03:12:00Z"), 6);
        try (TopicWriter writer = writer()) {
            incident.publish(writer);
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        given().get("/api/incidents/" + incident.incidentId).statusCode() == 200
                                && given().get("/api/incidents/" + incident.incidentId)
                                                .jsonPath()
                                                .getInt("eventCount")
                                        == incident.events.size());
        String page = root + "incident.html?id=" + incident.incidentId;

        String dom = Chromium.dumpDom(page);
        assertThat(dom).contains("<svg id=\"chart\"");
        long actionEvents = incident.events.stream()
                .filter(e -> e.type().equals("io.connguard.action.v1"))
                .count();
        assertThat(count(dom, "class=\"action-marker ")).isEqualTo(actionEvents);
        assertThat(dom)
                .contains("data-action-id=\"" + incident.scaleSucceeded.data().actionId() + "\"");
        assertThat(dom).containsPattern("<path class=\"connections\" d=\"M[0-9.,]+( L[0-9.,]+){5,}");
        assertThat(dom).containsPattern("<path class=\"capacity\" d=\"M");
        assertThat(dom).contains("class=\"band CRITICAL\"", "class=\"band ELEVATED\"", "class=\"band OK\"");
        // then the timeline: one row per event, actions linked to their cause
        assertThat(count(dom, "<tr id=\"seq-")).isEqualTo(incident.events.size());
        assertThat(dom).contains("caused by <a href=\"#seq-");
        assertThat(dom).contains(incident.incidentId + " on web-db");

        Path screenshot = Path.of("target", "screenshots", "incident-page.png");
        Chromium.screenshot(page, screenshot);
        assertThat(Files.size(screenshot)).isGreaterThan(20_000);
    }

    @Test
    void theIncidentsListLinksToEachIncident() throws Exception {
        IncidentScenario incident = new IncidentScenario("web-list-db", Instant.parse("2026-02-11T08:00:00Z"), 0);
        try (TopicWriter writer = writer()) {
            incident.publish(writer);
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        given().get("/api/incidents/" + incident.incidentId).statusCode() == 200);
        String dom = Chromium.dumpDom(root + "index.html?target=web-list-db");
        assertThat(dom).contains("<tr data-incident=\"" + incident.incidentId + "\"");
        assertThat(dom).contains("href=\"incident.html?id=" + incident.incidentId + "\"");
        Chromium.screenshot(root + "index.html", Path.of("target", "screenshots", "incidents-list.png"));
    }

    private static long count(String text, String needle) {
        Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(text);
        long n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
