package io.connguard.mitigator.guard;

import io.connguard.mitigator.config.MitigatorConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The switch that stops every new action at once. Stored in the ConfigMap {@value #NAME} so every replica obeys it;
 * {@code connguard.mitigator.kill-switch=true} forces it on. When the ConfigMap cannot be read the switch counts as
 * engaged: automation fails closed.
 */
// created at start-up so connguard_automation_enabled is exported before the first event (alerts read it)
@Startup
@ApplicationScoped
public class KillSwitch {

    public static final String NAME = "connguard-mitigator-control";
    private static final String KEY = "kill-switch";
    private static final Logger LOG = Logger.getLogger(KillSwitch.class);

    private final KubernetesClient client;
    private final boolean forcedByConfig;
    private final String namespace;

    KillSwitch(KubernetesClient client, MitigatorConfig config, MeterRegistry registry) {
        this.client = client;
        this.forcedByConfig = config.killSwitch();
        this.namespace = config.namespace().orElseGet(client::getNamespace);
        Gauge.builder("connguard.automation.enabled", this, s -> s.engaged() ? 0 : 1)
                .description("1 while the mitigator may act, 0 while the kill switch is engaged")
                .register(registry);
    }

    /** The switch as stored, with who set it and why. */
    public record State(boolean engaged, boolean forcedByConfig, String by, String reason, Instant since) {}

    public boolean engaged() {
        return state().engaged();
    }

    public State state() {
        try {
            ConfigMap cm =
                    client.configMaps().inNamespace(namespace).withName(NAME).get();
            Map<String, String> data = cm == null || cm.getData() == null ? Map.of() : cm.getData();
            boolean stored = Boolean.parseBoolean(data.getOrDefault(KEY, "false"));
            Instant since = data.containsKey("since") ? Instant.parse(data.get("since")) : null;
            return new State(forcedByConfig || stored, forcedByConfig, data.get("by"), data.get("reason"), since);
        } catch (RuntimeException e) {
            LOG.warnf("cannot read the kill switch %s/%s, treating it as engaged: %s", namespace, NAME, e.getMessage());
            return new State(true, forcedByConfig, null, "kill switch unreadable: " + e.getMessage(), null);
        }
    }

    /** Engages or releases it; returns the new state. */
    public State set(boolean engaged, String by, String reason, Instant at) {
        ConfigMap cm = new ConfigMapBuilder()
                .withNewMetadata()
                .withName(NAME)
                .withNamespace(namespace)
                .endMetadata()
                .withData(Map.of(KEY, Boolean.toString(engaged), "by", by, "reason", reason, "since", at.toString()))
                .build();
        client.configMaps().inNamespace(namespace).resource(cm).createOr(existing -> existing.update());
        return state();
    }
}
