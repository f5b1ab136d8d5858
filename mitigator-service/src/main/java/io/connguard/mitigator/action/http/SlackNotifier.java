package io.connguard.mitigator.action.http;

import io.connguard.events.ActionEvent;
import io.connguard.events.ClientShare;
import io.connguard.events.EventJson;
import io.connguard.events.PressureChanged;
import io.connguard.mitigator.policy.Policy;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Posts each action to a Slack-compatible incoming webhook ({@code {"text": ...}}): target, incident, level, top
 * clients, the action and its outcome. Fire and forget on purpose: a slow or failing webhook must never delay or
 * block mitigation, so failures are only logged and counted ({@code connguard.notify.failures}).
 */
@ApplicationScoped
public class SlackNotifier {

    private static final Logger LOG = Logger.getLogger(SlackNotifier.class);

    private final HttpClient http = HttpClient.newHttpClient();
    private final MeterRegistry registry;

    SlackNotifier(MeterRegistry registry) {
        this.registry = registry;
    }

    public void notify(Policy.Notify notify, ActionEvent action, PressureChanged lastPressure) {
        if (notify == null) {
            return;
        }
        String text = text(action, lastPressure);
        var body = EventJson.mapper().createObjectNode().put("text", text).toString();
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(notify.url()))
                    .timeout(notify.timeout())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            notify.headers().forEach(request::header);
            http.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding())
                    .whenComplete((response, error) -> {
                        if (error != null || response.statusCode() / 100 != 2) {
                            failed(action, error != null ? error.toString() : "HTTP " + response.statusCode());
                        }
                    });
        } catch (IllegalArgumentException e) {
            // a request that cannot even be built (e.g. a bad header) must not stop the action it reports
            failed(action, e.toString());
        }
    }

    private void failed(ActionEvent action, String why) {
        registry.counter("connguard.notify.failures").increment();
        LOG.warnf("notify webhook failed for action %s: %s", action.actionId(), why);
    }

    static String text(ActionEvent a, PressureChanged p) {
        StringBuilder sb = new StringBuilder("[connguard] ").append(a.targetId());
        if (a.incidentId() != null) {
            sb.append(" incident ").append(a.incidentId());
        }
        if (p != null) {
            sb.append(String.format(" level %s (%.0f%% of usable connections)", p.level(), p.ratio() * 100));
        }
        sb.append(": ").append(a.action()).append(' ').append(a.outcome());
        if (a.policyStep() != null) {
            sb.append(" (step ")
                    .append(a.policyStep())
                    .append(", ")
                    .append(a.mode())
                    .append(')');
        }
        if (a.command() != null && !a.command().text().isEmpty()) {
            sb.append("\n`").append(a.command().text()).append('`');
        }
        if (a.reason() != null) {
            sb.append("\nreason: ").append(a.reason());
        }
        if (a.error() != null) {
            sb.append("\nerror: ").append(a.error());
        }
        if (p != null && !p.topClients().isEmpty()) {
            sb.append("\ntop clients: ")
                    .append(p.topClients().stream()
                            .limit(3)
                            .map(SlackNotifier::client)
                            .collect(Collectors.joining(", ")));
        }
        return sb.toString();
    }

    private static String client(ClientShare c) {
        return (c.applicationName() == null ? "?" : c.applicationName()) + "/" + c.user() + " " + c.connections();
    }
}
