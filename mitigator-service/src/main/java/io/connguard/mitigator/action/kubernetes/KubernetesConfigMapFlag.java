package io.connguard.mitigator.action.kubernetes;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.connguard.events.Command;
import io.connguard.events.EventJson;
import io.connguard.events.Mode;
import io.connguard.events.Outcome;
import io.connguard.mitigator.action.ActionAdapter;
import io.connguard.mitigator.action.EffectResult;
import io.connguard.mitigator.policy.ActionSpec;
import io.connguard.mitigator.policy.Operation;
import io.connguard.mitigator.policy.PlannedAction;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Pauses and resumes ingestion through one key of a ConfigMap, with a JSON merge patch touching only that key. The
 * value before the pause is stored on the ConfigMap ({@link #originalAnnotation}), and only a pause connguard made
 * is undone: ingestion an operator had paused stays paused after recovery.
 */
@ApplicationScoped
public class KubernetesConfigMapFlag implements ActionAdapter {

    private final KubernetesClient client;

    KubernetesConfigMapFlag(KubernetesClient client) {
        this.client = client;
    }

    /** The annotation holding the key's value before connguard paused it (an absent key counts as resumed). */
    public static String originalAnnotation(String key) {
        return "connguard.io/original-" + key;
    }

    @Override
    public boolean supports(ActionSpec spec) {
        return spec instanceof ActionSpec.PauseIngestion pause && pause.flag().configMap() != null;
    }

    @Override
    public void warmUp(ActionSpec spec) {
        ActionSpec.ConfigMapFlag flag =
                ((ActionSpec.PauseIngestion) spec).flag().configMap();
        client.configMaps().inNamespace(flag.namespace()).withName(flag.name()).get();
    }

    @Override
    public List<EffectResult> run(PlannedAction action) {
        ActionSpec.ConfigMapFlag flag =
                ((ActionSpec.PauseIngestion) action.spec()).flag().configMap();
        boolean pause = action.operation() == Operation.APPLY;
        String object = flag.namespace() + "/" + flag.name();
        Instant started = Instant.now();
        Command reading = new Command("kubernetes", "GET v1 configmaps/" + flag.name(), object + "#" + flag.key());
        try {
            var resource = client.configMaps().inNamespace(flag.namespace()).withName(flag.name());
            ConfigMap current = resource.get();
            if (current == null) {
                return List.of(EffectResult.failed(action, reading, "ConfigMap " + object + " not found", started));
            }
            Map<String, String> data = current.getData() == null ? Map.of() : current.getData();
            String before = data.get(flag.key());
            String original = KubernetesWorkloads.annotation(current, originalAnnotation(flag.key()));
            ObjectNode stateBefore = state(flag.key(), before);
            if (!pause && original == null) {
                return List.of(EffectResult.of(
                        action,
                        Outcome.NOOP,
                        reading,
                        stateBefore,
                        stateBefore,
                        flag.key() + " was not paused by connguard: left as it is",
                        started));
            }
            String value = pause ? flag.pausedValue() : original;
            ObjectNode patch = JsonNodeFactory.instance.objectNode();
            patch.putObject("data").put(flag.key(), value);
            Command command = new Command(
                    "kubernetes", "PATCH v1 configmaps/" + flag.name() + " merge " + patch, object + "#" + flag.key());
            if (pause && value.equals(before)) {
                return List.of(EffectResult.of(
                        action,
                        Outcome.NOOP,
                        command,
                        stateBefore,
                        stateBefore,
                        "flag " + flag.key() + " already " + value,
                        started));
            }
            if (action.mode() == Mode.ENFORCE) {
                if (pause && original == null) {
                    // remember before changing anything, so even a crash right after the pause can be undone
                    KubernetesWorkloads.annotate(
                            resource, originalAnnotation(flag.key()), before == null ? flag.resumedValue() : before);
                }
                resource.patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
                if (!pause) {
                    KubernetesWorkloads.removeAnnotation(resource, originalAnnotation(flag.key()));
                }
            }
            return List.of(EffectResult.of(
                    action, EffectResult.ran(action), command, stateBefore, state(flag.key(), value), null, started));
        } catch (KubernetesClientException e) {
            return List.of(EffectResult.failed(action, reading, "Kubernetes: " + e.getMessage(), started));
        }
    }

    private static ObjectNode state(String key, String value) {
        ObjectNode node = EventJson.mapper().createObjectNode();
        node.put(key, value);
        return node;
    }
}
