package io.connguard.mitigator.action.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.connguard.events.ActionEvent;
import io.connguard.events.ClientShare;
import io.connguard.events.Command;
import io.connguard.events.EventJson;
import io.connguard.events.Level;
import io.connguard.events.Mode;
import io.connguard.events.Outcome;
import io.connguard.events.PressureChanged;
import io.connguard.mitigator.metrics.MitigatorMeters;
import io.connguard.mitigator.policy.MutableClock;
import io.connguard.mitigator.policy.Policy;
import io.connguard.mitigator.policy.Pressure;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a Slack channel receives, on a real local HTTP endpoint standing in for the incoming webhook. */
class SlackNotifierTest {

    private static final String TARGET = "orders-db";

    private final List<String> posts = new CopyOnWriteArrayList<>();
    private final HttpServer slack = slack();
    private final MutableClock clock = new MutableClock();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final SlackNotifier notifier = new SlackNotifier(new MitigatorMeters(registry), clock);

    @AfterEach
    void stop() {
        slack.stop(0);
    }

    @Test
    void aSessionStepThatSkipsThreeHundredBackendsIsOnePostSummarisingThem() {
        List<ActionEvent> results = new ArrayList<>();
        for (int pid = 1; pid <= 300; pid++) {
            results.add(backend(pid, pid <= 2 ? Outcome.SUCCEEDED : Outcome.SKIPPED, "reporting", "app_user"));
        }

        notifier.notify(webhook(20, 5), TARGET, results, null);

        assertPostsStayAt(1);
        String text = text(posts.get(0));
        assertThat(text)
                .startsWith("[connguard] orders-db incident inc-1: 298 cancel-query SKIPPED, 2 cancel-query SUCCEEDED"
                        + " (step cancel-long-queries, ENFORCE)")
                .contains("• cancel-query SUCCEEDED pid 1 reporting/app_user")
                .contains("… and 295 more");
        assertThat(text.length()).isLessThanOrEqualTo(SlackMessage.MAX_CHARS);
    }

    @Test
    void namesAClientChoseAreEscapedSoTheyCannotPageTheChannelOrFormatTheMessage() {
        PressureChanged pressure = Pressure.withTopClients(
                Pressure.sample(TARGET, "inc-1", Level.CRITICAL, 96),
                List.of(new ClientShare("<!channel> & <https://evil|click>", "etl", null, 40, 0.4)));

        notifier.notify(webhook(20, 5), TARGET, List.of(backend(7, Outcome.SKIPPED, "<!here>", "bob>")), pressure);

        assertPostsStayAt(1);
        String text = text(posts.get(0));
        assertThat(text)
                .contains("top clients: &lt;!channel&gt; &amp; &lt;https://evil|click&gt;/etl 40")
                .contains("cancel-query SKIPPED pid 7 &lt;!here&gt;/bob&gt;")
                .contains("reason: protected: application &lt;!here&gt;")
                .doesNotContain("<!channel>", "<!here>", "<https://");
    }

    @Test
    void postsBeyondTheRateLimitAreDroppedCountedAndMentionedInTheNextPost() {
        Policy.Notify webhook = webhook(1, 2); // a burst of two, then one a minute
        for (int action = 1; action <= 5; action++) {
            notifier.notify(webhook, TARGET, List.of(step("pause-ingestion", Outcome.FAILED)), null);
        }
        assertPostsStayAt(2);
        assertThat(registry.get("connguard.notify.suppressed").counter().count())
                .isEqualTo(3);

        clock.advance(Duration.ofMinutes(1));
        notifier.notify(webhook, TARGET, List.of(step("resume-ingestion", Outcome.REVERTED)), null);

        assertPostsStayAt(3);
        assertThat(text(posts.get(2)))
                .contains("resume-ingestion REVERTED")
                .contains("(3 earlier notifications were dropped by the rate limit; the audit trail has every action)");
    }

    @Test
    void plannedAndNoopEventsAreNotNews() {
        notifier.notify(
                webhook(20, 5),
                TARGET,
                List.of(step("pause-ingestion", Outcome.PLANNED), step("none", Outcome.NOOP)),
                null);
        notifier.notify(webhook(20, 5), TARGET, List.of(step("pause-ingestion", Outcome.SUCCEEDED)), null);

        assertPostsStayAt(1);
        assertThat(text(posts.get(0))).contains("pause-ingestion SUCCEEDED");
    }

    private void assertPostsStayAt(int count) {
        // posts are sent asynchronously: the count must reach the number and stay there
        await().atMost(Duration.ofSeconds(10))
                .during(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(posts).hasSize(count));
    }

    private Policy.Notify webhook(int postsPerMinute, int burst) {
        return new Policy.Notify(
                "http://127.0.0.1:" + slack.getAddress().getPort() + "/slack",
                Duration.ofSeconds(2),
                Map.of(),
                postsPerMinute,
                burst);
    }

    private HttpServer slack() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/slack", exchange -> {
                posts.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(String body) {
        try {
            return EventJson.mapper().readTree(body).get("text").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ActionEvent backend(int pid, Outcome outcome, String application, String user) {
        JsonNode evidence = EventJson.mapper()
                .createObjectNode()
                .put("pid", pid)
                .put("applicationName", application)
                .put("user", user);
        return event(
                "a-" + pid,
                "cancel-query",
                outcome,
                new Command("postgres", "SELECT pg_cancel_backend(pid) ... WHERE pid = " + pid, TARGET),
                evidence,
                outcome == Outcome.SKIPPED ? "protected: application " + application : null);
    }

    private static ActionEvent step(String action, Outcome outcome) {
        return event("a-" + action + "-" + outcome, action, outcome, Command.none(), null, null);
    }

    private static ActionEvent event(
            String id, String action, Outcome outcome, Command command, JsonNode evidence, String reason) {
        Instant at = Instant.parse("2026-03-14T09:00:00Z");
        return new ActionEvent(
                id,
                TARGET,
                "inc-1",
                "cause-1",
                "cancel-long-queries",
                action,
                Mode.ENFORCE,
                outcome,
                command,
                null,
                null,
                evidence,
                reason,
                outcome == Outcome.FAILED ? "boom" : null,
                at,
                at,
                0L);
    }
}
