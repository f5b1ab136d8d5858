package io.connguard.mitigator.action.http;

import io.connguard.events.Command;
import io.connguard.events.EventJson;
import io.connguard.events.Mode;
import io.connguard.mitigator.action.ActionAdapter;
import io.connguard.mitigator.action.EffectResult;
import io.connguard.mitigator.policy.ActionSpec;
import io.connguard.mitigator.policy.Operation;
import io.connguard.mitigator.policy.PlannedAction;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Pauses and resumes ingestion through a flag service's HTTP API (flagd, Unleash admin, or any webhook): one
 * request with the configured method, URL, headers and body; {@code ${target}} and {@code ${incident}} in the
 * body are replaced. Any 2xx answer counts as done.
 */
@ApplicationScoped
public class HttpWebhookFlag implements ActionAdapter {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    @Override
    public boolean supports(ActionSpec spec) {
        return spec instanceof ActionSpec.PauseIngestion pause && pause.flag().webhook() != null;
    }

    @Override
    public List<EffectResult> run(PlannedAction action) {
        ActionSpec.WebhookFlag hook =
                ((ActionSpec.PauseIngestion) action.spec()).flag().webhook();
        String template = action.operation() == Operation.APPLY ? hook.pauseBody() : hook.resumeBody();
        String body = template == null
                ? ""
                : template.replace("${target}", action.targetId())
                        .replace("${incident}", String.valueOf(action.incidentId()));
        Command command = new Command("http", hook.method() + " " + hook.url() + " " + body, hook.url());
        Instant started = Instant.now();
        if (action.mode() == Mode.DRY_RUN) {
            return List.of(done(action, command, null, started));
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(hook.url()))
                .timeout(TIMEOUT)
                .method(hook.method(), HttpRequest.BodyPublishers.ofString(body));
        hook.headers().forEach(request::header);
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                return List.of(EffectResult.failed(
                        action, command, "flag webhook answered HTTP " + response.statusCode(), started));
            }
            return List.of(done(action, command, response.statusCode(), started));
        } catch (IOException e) {
            return List.of(EffectResult.failed(action, command, "flag webhook: " + e.getMessage(), started));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of(EffectResult.failed(action, command, "interrupted", started));
        }
    }

    private static EffectResult done(PlannedAction action, Command command, Integer status, Instant started) {
        var after = EventJson.mapper().createObjectNode();
        after.put("paused", action.operation() == Operation.APPLY);
        if (status != null) {
            after.put("httpStatus", status);
        }
        return EffectResult.of(action, EffectResult.ran(action), command, null, after, null, started);
    }
}
