package io.connguard.mitigator.action.http;

import io.connguard.events.ActionEvent;
import io.connguard.events.EventJson;
import io.connguard.events.Outcome;
import io.connguard.events.PressureChanged;
import io.connguard.mitigator.metrics.MitigatorMeters;
import io.connguard.mitigator.policy.Policy;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Posts one message per action to a Slack-compatible incoming webhook ({@code {"text": ...}}, see
 * {@link SlackMessage}): a session step that signalled or skipped 300 backends is one message, not 300. Each webhook
 * URL has a token bucket (the policy's {@code notify.burst} and {@code notify.posts-per-minute}): an incident cannot
 * flood a channel or run into Slack's own limit of about one message a second; a message over the limit is dropped,
 * counted ({@code connguard_notify_suppressed_total}) and mentioned in the next message that goes out. Fire and forget
 * on purpose: a slow or failing webhook must never delay or block mitigation, so failures are only logged and counted
 * ({@code connguard_notify_failures_total}).
 */
@ApplicationScoped
public class SlackNotifier {

    private static final Logger LOG = Logger.getLogger(SlackNotifier.class);

    private final HttpClient http = HttpClient.newHttpClient();
    private final MitigatorMeters meters;
    private final Clock clock;
    // per webhook URL: the limit is the channel's, whichever target posts
    private final Map<String, Limit> limits = new ConcurrentHashMap<>();

    private record Limit(TokenBucket bucket, AtomicLong suppressed) {}

    public SlackNotifier(MitigatorMeters meters, Clock clock) {
        this.meters = meters;
        this.clock = clock;
    }

    /**
     * Tells the webhook about one action: {@code events} are its results (or the one event of a guardrail hit);
     * {@code PLANNED} and {@code NOOP} events are not news and are left out. Nothing is posted when nothing is left.
     */
    public void notify(Policy.Notify notify, String target, List<ActionEvent> events, PressureChanged lastPressure) {
        if (notify == null) {
            return;
        }
        List<ActionEvent> news = events.stream()
                .filter(e -> e.outcome() != Outcome.PLANNED && e.outcome() != Outcome.NOOP)
                .toList();
        if (news.isEmpty()) {
            return;
        }
        Limit limit = limits.computeIfAbsent(
                notify.url(),
                url -> new Limit(
                        new TokenBucket(notify.burst(), Duration.ofMinutes(1).dividedBy(notify.postsPerMinute())),
                        new AtomicLong()));
        if (!limit.bucket().tryTake(clock.instant())) {
            limit.suppressed().incrementAndGet();
            meters.notifySuppressed(target);
            LOG.debugf(
                    "notify rate limit reached: action %s not posted",
                    news.get(0).actionId());
            return;
        }
        String text = SlackMessage.text(news, lastPressure, limit.suppressed().getAndSet(0));
        String body = EventJson.mapper().createObjectNode().put("text", text).toString();
        String action = news.get(0).actionId();
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(notify.url()))
                    .timeout(notify.timeout())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            notify.headers().forEach(request::header);
            http.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding())
                    .whenComplete((response, error) -> {
                        if (error != null || response.statusCode() / 100 != 2) {
                            failed(target, action, error != null ? error.toString() : "HTTP " + response.statusCode());
                        }
                    });
        } catch (IllegalArgumentException e) {
            // a request that cannot even be built (e.g. a bad header) must not stop the action it reports
            failed(target, action, e.toString());
        }
    }

    private void failed(String target, String action, String why) {
        meters.notifyFailed(target);
        LOG.warnf("notify webhook failed for action %s: %s", action, why);
    }
}
