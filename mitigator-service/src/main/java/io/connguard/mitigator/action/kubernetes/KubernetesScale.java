package io.connguard.mitigator.action.kubernetes;

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
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Scales Deployments and StatefulSets through the scale subresource. The replica count before the first scale-down
 * is stored on the object ({@value #ORIGINAL_REPLICAS}), so it survives a mitigator restart and is restored
 * exactly; the annotation is removed once restored. A workload an HPA manages is refused: the HPA would fight us.
 */
@ApplicationScoped
public class KubernetesScale implements ActionAdapter {

    public static final String ORIGINAL_REPLICAS = "connguard.io/original-replicas";

    private final KubernetesClient client;

    KubernetesScale(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public boolean supports(ActionSpec spec) {
        return spec instanceof ActionSpec.ScaleWorkload;
    }

    @Override
    public List<EffectResult> run(PlannedAction action) {
        ActionSpec.ScaleWorkload spec = (ActionSpec.ScaleWorkload) action.spec();
        ActionSpec.Workload w = spec.workload();
        Instant started = Instant.now();
        Command reading = KubernetesWorkloads.reading(w);
        try {
            var resource = KubernetesWorkloads.resource(client, w);
            HasMetadata workload = resource.get();
            if (workload == null) {
                return List.of(EffectResult.failed(action, reading, w + " not found", started));
            }
            int current = KubernetesWorkloads.replicas(workload);
            String recorded = KubernetesWorkloads.annotation(workload, ORIGINAL_REPLICAS);
            Integer original = recorded == null ? null : Integer.valueOf(recorded);
            if (action.operation() == Operation.APPLY) {
                Optional<String> hpa = managingHpa(w);
                if (hpa.isPresent()) {
                    return List.of(result(
                            action,
                            Outcome.SKIPPED,
                            reading,
                            current,
                            current,
                            "hpa " + hpa.get() + " manages " + w + "; refusing to fight it",
                            started));
                }
                int base = original == null ? current : original;
                int wanted = spec.replicas() != null ? spec.replicas() : (int) Math.floor(base * spec.fraction());
                int floor = (int) Math.ceil(base * (1 - action.maxReplicaFractionRemoved()));
                String reason = null;
                if (wanted < floor) {
                    reason = "clamped to " + floor + " by max-replica-fraction-removed "
                            + action.maxReplicaFractionRemoved();
                    wanted = floor;
                }
                if (wanted >= current) {
                    return List.of(result(
                            action,
                            Outcome.NOOP,
                            reading,
                            current,
                            current,
                            "already at " + current + " replicas (wanted " + wanted + ")",
                            started));
                }
                Command command = scaleCommand(w, wanted);
                if (action.mode() == Mode.ENFORCE) {
                    if (original == null) {
                        // remember before changing anything, so even a crash right after the scale can be undone
                        KubernetesWorkloads.annotate(resource, ORIGINAL_REPLICAS, Integer.toString(current));
                    }
                    resource.scale(wanted);
                }
                ObjectNode before = replicas(current);
                poolSize(workload, spec.poolEnv()).ifPresent(size -> before.put("poolSize", size));
                return List.of(EffectResult.of(
                        action, EffectResult.ran(action), command, before, replicas(wanted), reason, started));
            }
            if (original == null) {
                return List.of(result(
                        action,
                        Outcome.NOOP,
                        reading,
                        current,
                        current,
                        "no " + ORIGINAL_REPLICAS + " annotation: nothing to restore",
                        started));
            }
            boolean partial = action.operation() == Operation.PARTIAL_RESTORE;
            // a partial restore never scales down: the engine's count is a ceiling it brings the workload up to
            int step = action.restoreReplicas() == null ? 1 : action.restoreReplicas();
            int wanted = partial ? Math.max(current, Math.min(step, original)) : original;
            Command command = scaleCommand(w, wanted);
            if (wanted == current && partial) {
                return List.of(result(
                        action,
                        Outcome.NOOP,
                        command,
                        current,
                        current,
                        "already at " + current + " replicas" + (action.reason() == null ? "" : "; " + action.reason()),
                        started));
            }
            if (action.mode() == Mode.ENFORCE) {
                resource.scale(wanted);
                if (!partial) {
                    KubernetesWorkloads.removeAnnotation(resource, ORIGINAL_REPLICAS);
                }
            }
            return List.of(
                    result(action, EffectResult.ran(action), command, current, wanted, action.reason(), started));
        } catch (KubernetesClientException | NumberFormatException e) {
            return List.of(EffectResult.failed(action, reading, "Kubernetes: " + e.getMessage(), started));
        }
    }

    @Override
    public void warmUp(ActionSpec spec) {
        ActionSpec.Workload w = ((ActionSpec.ScaleWorkload) spec).workload();
        KubernetesWorkloads.resource(client, w).get();
        managingHpa(w);
    }

    private Optional<String> managingHpa(ActionSpec.Workload w) {
        return client
                .autoscaling()
                .v2()
                .horizontalPodAutoscalers()
                .inNamespace(w.namespace())
                .list()
                .getItems()
                .stream()
                .filter(h -> h.getSpec() != null && h.getSpec().getScaleTargetRef() != null)
                .filter(h -> w.kind().equals(h.getSpec().getScaleTargetRef().getKind())
                        && w.name().equals(h.getSpec().getScaleTargetRef().getName()))
                .map(HorizontalPodAutoscaler::getMetadata)
                .map(m -> m.getName())
                .findFirst();
    }

    /** The declared pool size: env var {@code name} of any container, when it is set and a number. */
    private static Optional<Integer> poolSize(HasMetadata workload, String name) {
        var template = KubernetesWorkloads.template(workload);
        if (name == null || template == null || template.getSpec() == null) {
            return Optional.empty();
        }
        return template.getSpec().getContainers().stream()
                .flatMap(c -> c.getEnv() == null ? Stream.empty() : c.getEnv().stream())
                .filter(e -> name.equals(e.getName())
                        && e.getValue() != null
                        && e.getValue().matches("\\d{1,6}"))
                .map(e -> Integer.valueOf(e.getValue()))
                .findFirst();
    }

    private static Command scaleCommand(ActionSpec.Workload w, int replicas) {
        return new Command(
                "kubernetes",
                "PUT apps/v1 " + KubernetesWorkloads.plural(w) + "/" + w.name() + "/scale {\"spec\":{\"replicas\":"
                        + replicas + "}}",
                w.namespace() + "/" + w.name());
    }

    private static EffectResult result(
            PlannedAction action,
            Outcome outcome,
            Command command,
            int before,
            int after,
            String reason,
            Instant started) {
        return EffectResult.of(action, outcome, command, replicas(before), replicas(after), reason, started);
    }

    private static ObjectNode replicas(int n) {
        return EventJson.mapper().createObjectNode().put("replicas", n);
    }
}
