package io.connguard.mitigator.action.kubernetes;

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
        ActionSpec.ShrinkPool spec = (ActionSpec.ShrinkPool) action.spec();
        ActionSpec.Workload w = spec.workload();
        Instant started = Instant.now();
        String object = w.namespace() + "/" + w.name();
        Command reading = KubernetesWorkloads.reading(w);
        try {
            var resource = KubernetesWorkloads.resource(client, w);
            HasMetadata workload = resource.get();
            if (workload == null) {
                return List.of(EffectResult.failed(action, reading, w + " not found", started));
            }
            List<Container> containers =
                    KubernetesWorkloads.template(workload).getSpec().getContainers();
            int index = containerIndex(containers, spec.container());
            if (index < 0) {
                return List.of(EffectResult.failed(action, reading, "no container " + spec.container(), started));
            }
            List<EnvVar> env = containers.get(index).getEnv();
            int envIndex = envIndex(env, spec.env());
            if (envIndex < 0) {
                return List.of(EffectResult.failed(
                        action,
                        reading,
                        "container " + containers.get(index).getName() + " has no env " + spec.env(),
                        started));
            }
            String current = env.get(envIndex).getValue();
            String original = KubernetesWorkloads.annotation(workload, ORIGINAL_POOL_SIZE);
            String wanted = action.operation() == Operation.APPLY ? Integer.toString(spec.value()) : original;
            if (wanted == null) {
                return List.of(result(
                        action,
                        Outcome.NOOP,
                        reading,
                        current,
                        current,
                        "no " + ORIGINAL_POOL_SIZE + " annotation: nothing to restore",
                        started));
            }
            String path = "/spec/template/spec/containers/" + index + "/env/" + envIndex + "/value";
            String patch = "[{\"op\":\"replace\",\"path\":\"" + path + "\",\"value\":\"" + wanted + "\"}]";
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
                return List.of(result(
                        action, Outcome.NOOP, command, current, current, spec.env() + " already " + current, started));
            }
            if (action.mode() == Mode.ENFORCE) {
                if (action.operation() == Operation.APPLY && original == null) {
                    KubernetesWorkloads.annotate(resource, ORIGINAL_POOL_SIZE, current);
                }
                resource.patch(PatchContext.of(PatchType.JSON), patch);
                if (action.operation() != Operation.APPLY) {
                    KubernetesWorkloads.removeAnnotation(resource, ORIGINAL_POOL_SIZE);
                }
            }
            return List.of(result(action, EffectResult.ran(action), command, current, wanted, null, started));
        } catch (KubernetesClientException e) {
            return List.of(EffectResult.failed(action, reading, "Kubernetes: " + e.getMessage(), started));
        }
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
