package io.connguard.mitigator.action.kubernetes;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.connguard.events.Command;
import io.connguard.events.EventJson;
import io.connguard.events.Mode;
import io.connguard.events.Outcome;
import io.connguard.mitigator.action.ActionAdapter;
import io.connguard.mitigator.action.EffectResult;
import io.connguard.mitigator.policy.ActionSpec;
import io.connguard.mitigator.policy.Operation;
import io.connguard.mitigator.policy.PlannedAction;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Shrinks an application's connection pool by setting an env var (e.g. {@code PG_POOL_MAX}) on a workload's
 * container, which rolls its pods. The value before the first change is stored on the object
 * ({@value #ORIGINAL_POOL_SIZE}) and restored exactly; the change is a JSON patch of that one env entry.
 */
@ApplicationScoped
public class KubernetesPoolSize implements ActionAdapter {

    public static final String ORIGINAL_POOL_SIZE = "connguard.io/original-pool-size";

    // what the API server answers a JSON patch whose test op fails
    private static final int HTTP_UNPROCESSABLE = 422;
    // a read and a patch; once more when the workload changed in between, then fail closed
    private static final int ATTEMPTS = 2;

    private final KubernetesClient client;

    KubernetesPoolSize(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public boolean supports(ActionSpec spec) {
        return spec instanceof ActionSpec.ShrinkPool;
    }

    @Override
    public void warmUp(ActionSpec spec) {
        KubernetesWorkloads.resource(client, ((ActionSpec.ShrinkPool) spec).workload())
                .get();
    }

    @Override
    public List<EffectResult> run(PlannedAction action) {
        Instant started = Instant.now();
        Command reading = KubernetesWorkloads.reading(((ActionSpec.ShrinkPool) action.spec()).workload());
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    return List.of(attempt(action, started));
                } catch (KubernetesClientException e) {
                    if (e.getCode() != HTTP_UNPROCESSABLE || attempt == ATTEMPTS) {
                        throw e;
                    }
                    // a test op failed: the workload changed between our read and our patch (an env list
                    // reordered by a deploy, the value set by someone else); nothing was changed, read it again
                }
            }
        } catch (KubernetesClientException e) {
            String why = e.getCode() == HTTP_UNPROCESSABLE
                    ? "the workload kept changing between read and patch (JSON Patch test failed " + ATTEMPTS
                            + " times; the variable was not changed): " + e.getMessage()
                    : e.getMessage();
            return List.of(EffectResult.failed(action, reading, "Kubernetes: " + why, started));
        }
    }

    private EffectResult attempt(PlannedAction action, Instant started) {
        ActionSpec.ShrinkPool spec = (ActionSpec.ShrinkPool) action.spec();
        ActionSpec.Workload w = spec.workload();
        String object = w.namespace() + "/" + w.name();
        Command reading = KubernetesWorkloads.reading(w);
        var resource = KubernetesWorkloads.resource(client, w);
        HasMetadata workload = resource.get();
        if (workload == null) {
            return EffectResult.failed(action, reading, w + " not found", started);
        }
        List<Container> containers =
                KubernetesWorkloads.template(workload).getSpec().getContainers();
        int index = containerIndex(containers, spec.container());
        if (index < 0) {
            return EffectResult.failed(action, reading, "no container " + spec.container(), started);
        }
        Container container = containers.get(index);
        List<EnvVar> env = container.getEnv();
        int envIndex = envIndex(env, spec.env());
        if (envIndex < 0) {
            return EffectResult.failed(
                    action, reading, "container " + container.getName() + " has no env " + spec.env(), started);
        }
        EnvVar variable = env.get(envIndex);
        String original = KubernetesWorkloads.annotation(workload, ORIGINAL_POOL_SIZE);
        if (variable.getValueFrom() != null) {
            // a value from a ConfigMap, Secret or field: a literal would silently cut it loose from its source, and
            // the number behind the reference is not ours to read, so there is nothing to shrink nor to restore
            if (action.operation() != Operation.APPLY && original != null && action.mode() == Mode.ENFORCE) {
                KubernetesWorkloads.removeAnnotation(resource, ORIGINAL_POOL_SIZE);
            }
            return EffectResult.of(
                    action,
                    action.operation() == Operation.APPLY ? Outcome.SKIPPED : Outcome.NOOP,
                    reading,
                    null,
                    null,
                    spec.env() + " of container " + container.getName() + " is set from valueFrom, not a value:"
                            + " connguard only changes literal values, "
                            + (action.operation() == Operation.APPLY
                                    ? "refusing to replace the reference"
                                    : "left as it is"),
                    started);
        }
        // an env entry with neither value nor valueFrom is the empty string to the container
        String current = variable.getValue() == null ? "" : variable.getValue();
        String wanted = action.operation() == Operation.APPLY ? Integer.toString(spec.value()) : original;
        if (wanted == null) {
            return result(
                    action,
                    Outcome.NOOP,
                    reading,
                    current,
                    current,
                    "no " + ORIGINAL_POOL_SIZE + " annotation: nothing to restore",
                    started);
        }
        ArrayNode patch = patch(index, container.getName(), envIndex, variable, wanted);
        Command command = new Command(
                "kubernetes",
                "PATCH apps/v1 " + KubernetesWorkloads.plural(w) + "/" + w.name() + " json " + patch,
                object);
        if (wanted.equals(current)) {
            if (action.operation() != Operation.APPLY && action.mode() == Mode.ENFORCE) {
                // set back by someone else (a deploy, a GitOps sync): the remembered value is done with, and
                // left in place it would shadow whatever value the workload has at the next incident
                KubernetesWorkloads.removeAnnotation(resource, ORIGINAL_POOL_SIZE);
            }
            return result(action, Outcome.NOOP, command, current, current, spec.env() + " already " + current, started);
        }
        if (action.mode() == Mode.ENFORCE) {
            if (action.operation() == Operation.APPLY && original == null) {
                KubernetesWorkloads.annotate(resource, ORIGINAL_POOL_SIZE, current);
            }
            resource.patch(PatchContext.of(PatchType.JSON), patch.toString());
            if (action.operation() != Operation.APPLY) {
                KubernetesWorkloads.removeAnnotation(resource, ORIGINAL_POOL_SIZE);
            }
        }
        return result(action, EffectResult.ran(action), command, current, wanted, null, started);
    }

    /**
     * A JSON patch that sets the env entry by its index, guarded by {@code test} ops on what the index was read to
     * hold: the container's name, the variable's name and its value. An index is only an address: a deploy that
     * reordered the list or the containers since the read would otherwise have us overwrite another variable; with
     * the tests the API server rejects the whole patch (422) and nothing changes.
     */
    static ArrayNode patch(int containerIndex, String containerName, int envIndex, EnvVar variable, String wanted) {
        Object[] container = {"spec", "template", "spec", "containers", containerIndex};
        Object[] entry = {"spec", "template", "spec", "containers", containerIndex, "env", envIndex};
        ArrayNode patch = JsonNodeFactory.instance.arrayNode();
        patch.addObject()
                .put("op", "test")
                .put("path", KubernetesWorkloads.pointer(append(container, "name")))
                .put("value", containerName);
        patch.addObject()
                .put("op", "test")
                .put("path", KubernetesWorkloads.pointer(append(entry, "name")))
                .put("value", variable.getName());
        if (variable.getValue() != null) {
            patch.addObject()
                    .put("op", "test")
                    .put("path", KubernetesWorkloads.pointer(append(entry, "value")))
                    .put("value", variable.getValue());
        }
        // "add" sets a member whether or not it is there (an entry may have no value: the empty string)
        patch.addObject()
                .put("op", variable.getValue() == null ? "add" : "replace")
                .put("path", KubernetesWorkloads.pointer(append(entry, "value")))
                .put("value", wanted);
        return patch;
    }

    private static Object[] append(Object[] path, String member) {
        Object[] longer = Arrays.copyOf(path, path.length + 1);
        longer[path.length] = member;
        return longer;
    }

    private static int containerIndex(List<Container> containers, String name) {
        for (int i = 0; i < containers.size(); i++) {
            if (name == null || name.equals(containers.get(i).getName())) {
                return i;
            }
        }
        return -1;
    }

    private static int envIndex(List<EnvVar> env, String name) {
        for (int i = 0; env != null && i < env.size(); i++) {
            if (name.equals(env.get(i).getName())) {
                return i;
            }
        }
        return -1;
    }

    private static EffectResult result(
            PlannedAction action,
            Outcome outcome,
            Command command,
            String before,
            String after,
            String reason,
            Instant started) {
        var spec = (ActionSpec.ShrinkPool) action.spec();
        return EffectResult.of(
                action,
                outcome,
                command,
                EventJson.mapper().createObjectNode().put(spec.env(), before),
                EventJson.mapper()
                        .createObjectNode()
                        .put(spec.env(), Optional.ofNullable(after).orElse(before)),
                reason,
                started);
    }
}
