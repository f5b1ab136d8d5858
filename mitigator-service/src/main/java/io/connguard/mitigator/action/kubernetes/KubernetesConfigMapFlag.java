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

/** Pauses and resumes ingestion through one key of a ConfigMap, with a JSON merge patch touching only that key. */
@ApplicationScoped
public class KubernetesConfigMapFlag implements ActionAdapter {

    private final KubernetesClient client;

    KubernetesConfigMapFlag(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public boolean supports(PlannedAction action) {
        return action.spec() instanceof ActionSpec.PauseIngestion pause
                && pause.flag().configMap() != null;
    }

    @Override
    public List<EffectResult> run(PlannedAction action) {
        ActionSpec.ConfigMapFlag flag =
                ((ActionSpec.PauseIngestion) action.spec()).flag().configMap();
        String value = action.operation() == Operation.APPLY ? flag.pausedValue() : flag.resumedValue();
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        patch.putObject("data").put(flag.key(), value);
        String object = flag.namespace() + "/" + flag.name();
        Command command = new Command(
                "kubernetes", "PATCH v1 configmaps/" + flag.name() + " merge " + patch, object + "#" + flag.key());
        Instant started = Instant.now();
        try {
            ConfigMap current = client.configMaps()
                    .inNamespace(flag.namespace())
                    .withName(flag.name())
                    .get();
            if (current == null) {
                return List.of(EffectResult.failed(action, command, "ConfigMap " + object + " not found", started));
            }
            Map<String, String> data = current.getData() == null ? Map.of() : current.getData();
            String before = data.get(flag.key());
            ObjectNode stateBefore = state(flag.key(), before);
            if (value.equals(before)) {
                return List.of(result(
                        action,
                        Outcome.NOOP,
                        command,
                        stateBefore,
                        stateBefore,
                        "flag " + flag.key() + " already " + value,
                        started));
            }
            if (action.mode() == Mode.ENFORCE) {
                client.configMaps()
                        .inNamespace(flag.namespace())
                        .withName(flag.name())
                        .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
            }
            return List.of(result(
                    action, EffectResult.ran(action), command, stateBefore, state(flag.key(), value), null, started));
        } catch (KubernetesClientException e) {
            return List.of(EffectResult.failed(action, command, "Kubernetes: " + e.getMessage(), started));
        }
    }

    private static ObjectNode state(String key, String value) {
        ObjectNode node = EventJson.mapper().createObjectNode();
        node.put(key, value);
        return node;
    }

    private static EffectResult result(
            PlannedAction action,
            Outcome outcome,
            Command command,
            ObjectNode before,
            ObjectNode after,
            String reason,
            Instant started) {
        return new EffectResult(
                null,
                action.actionName(),
                outcome,
                command,
                before,
                after,
                null,
                reason,
                null,
                0,
                started,
                Instant.now());
    }
}
