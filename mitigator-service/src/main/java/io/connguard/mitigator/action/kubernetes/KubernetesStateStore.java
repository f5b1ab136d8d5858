package io.connguard.mitigator.action.kubernetes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connguard.events.EventJson;
import io.connguard.mitigator.config.MitigatorConfig;
import io.connguard.mitigator.policy.EpisodeState;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.HttpURLConnection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Persists each target's episode state in a ConfigMap {@code connguard-mitigator-state-<target>}, written with
 * optimistic concurrency: a write names the {@code resourceVersion} it read, and loses with {@link Conflict} when
 * another replica wrote in between. This compare-and-set is the fence that makes every transition happen once.
 */
@ApplicationScoped
public class KubernetesStateStore {

    public static final String PREFIX = "connguard-mitigator-state-";
    static final String KEY = "state.json";
    static final String TARGET_LABEL = "connguard.io/target";

    private static final ObjectMapper JSON = EventJson.mapper();

    private final KubernetesClient client;
    private final String namespace;

    KubernetesStateStore(KubernetesClient client, MitigatorConfig config) {
        this.client = client;
        this.namespace = config.namespace().orElseGet(client::getNamespace);
    }

    /** A state and the version it was read at; version null means "not stored yet". */
    public record Versioned(EpisodeState state, String version) {}

    /** The stored state, or idle at version null. Throws when the API cannot be read (the caller fails closed). */
    public Versioned load(String targetId) {
        ConfigMap cm = client.configMaps()
                .inNamespace(namespace)
                .withName(name(targetId))
                .get();
        if (cm == null || cm.getData() == null || !cm.getData().containsKey(KEY)) {
            return new Versioned(
                    EpisodeState.idle(), cm == null ? null : cm.getMetadata().getResourceVersion());
        }
        try {
            return new Versioned(
                    JSON.readValue(cm.getData().get(KEY), EpisodeState.class),
                    cm.getMetadata().getResourceVersion());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("state ConfigMap " + name(targetId) + " is unreadable: " + e.getMessage());
        }
    }

    /** Writes {@code state} if nobody wrote since {@code version}; returns the new version. */
    public String compareAndSet(String targetId, EpisodeState state, String version) {
        String json;
        try {
            json = JSON.writeValueAsString(state);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        ConfigMap cm = new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name(targetId))
                .withNamespace(namespace)
                .withResourceVersion(version)
                .withLabels(Map.of(TARGET_LABEL, label(targetId), "app.kubernetes.io/managed-by", "connguard"))
                .endMetadata()
                .withData(Map.of(KEY, json, "target", targetId))
                .build();
        try {
            ConfigMap written = version == null
                    ? client.configMaps().inNamespace(namespace).resource(cm).create()
                    : client.configMaps().inNamespace(namespace).resource(cm).update();
            return written.getMetadata().getResourceVersion();
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                throw new Conflict(targetId);
            }
            throw e;
        }
    }

    /** Targets with a stored state, so a restarted mitigator resumes their recovery without waiting for an event. */
    public List<String> storedTargets() {
        return client.configMaps().inNamespace(namespace).withLabel(TARGET_LABEL).list().getItems().stream()
                .filter(cm -> cm.getData() != null && cm.getData().containsKey("target"))
                .map(cm -> cm.getData().get("target"))
                .toList();
    }

    static String name(String targetId) {
        return PREFIX + label(targetId);
    }

    // ConfigMap names are DNS subdomains: lower case, digits, '-' and '.'
    private static String label(String targetId) {
        return targetId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
    }

    /** Another replica committed a transition first. */
    public static final class Conflict extends RuntimeException {
        Conflict(String targetId) {
            super("state of " + targetId + " changed concurrently");
        }
    }
}
