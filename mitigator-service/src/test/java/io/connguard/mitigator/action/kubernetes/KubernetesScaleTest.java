package io.connguard.mitigator.action.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.connguard.events.Mode;
import io.connguard.events.Outcome;
import io.connguard.mitigator.MitigatorTestInfra;
import io.connguard.mitigator.action.EffectResult;
import io.connguard.mitigator.policy.ActionSpec;
import io.connguard.mitigator.policy.Operation;
import io.connguard.mitigator.policy.PlannedAction;
import io.connguard.mitigator.policy.Policy;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** StatefulSets through the scale subresource, fractions and the replica guardrail, against the CRUD server. */
@QuarkusTest
@WithTestResource(value = MitigatorTestInfra.class, scope = TestResourceScope.GLOBAL)
class KubernetesScaleTest {

    @Inject
    KubernetesScale scale;

    private final KubernetesClient k8s = MitigatorTestInfra.kubernetes().client();

    @Test
    void aStatefulSetIsScaledByFractionClampedByTheGuardrailAndRestoredExactly() {
        k8s.apps()
                .statefulSets()
                .inNamespace("sts")
                .resource(new StatefulSetBuilder()
                        .withNewMetadata()
                        .withName("ingest")
                        .withNamespace("sts")
                        .endMetadata()
                        .withNewSpec()
                        .withReplicas(10)
                        .endSpec()
                        .build())
                .createOr(r -> r.update());
        var spec = new ActionSpec.ScaleWorkload(new ActionSpec.Workload("StatefulSet", "sts", "ingest"), null, 0.05);

        EffectResult down = scale.run(action(spec, Operation.APPLY, 0.8)).get(0);
        // 5 % of 10 would be 0 replicas, but at most 80 % may be removed: 2 stay
        assertThat(down.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(down.reason()).isEqualTo("clamped to 2 by max-replica-fraction-removed 0.8");
        assertThat(down.command().text())
                .isEqualTo("PUT apps/v1 statefulsets/ingest/scale {\"spec\":{\"replicas\":2}}");
        assertThat(statefulSet().getSpec().getReplicas()).isEqualTo(2);
        assertThat(statefulSet().getMetadata().getAnnotations()).containsEntry(KubernetesScale.ORIGINAL_REPLICAS, "10");

        assertThat(scale.run(action(spec, Operation.APPLY, 0.8)).get(0).outcome())
                .isEqualTo(Outcome.NOOP);
        assertThat(scale.run(action(spec, Operation.PARTIAL_RESTORE, 0.8))
                        .get(0)
                        .outcome())
                .isEqualTo(Outcome.NOOP); // already above one replica

        EffectResult restored = scale.run(action(spec, Operation.RESTORE, 0.8)).get(0);
        assertThat(restored.outcome()).isEqualTo(Outcome.REVERTED);
        assertThat(statefulSet().getSpec().getReplicas()).isEqualTo(10);
        assertThat(statefulSet().getMetadata().getAnnotations()).doesNotContainKey(KubernetesScale.ORIGINAL_REPLICAS);
    }

    @Test
    void aMissingWorkloadFails() {
        var spec = new ActionSpec.ScaleWorkload(new ActionSpec.Workload("Deployment", "sts", "nothing"), 1, null);
        List<EffectResult> results = scale.run(action(spec, Operation.APPLY, 0.9));
        assertThat(results).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(r.error()).isEqualTo("Deployment sts/nothing not found");
        });
    }

    private StatefulSet statefulSet() {
        return k8s.apps().statefulSets().inNamespace("sts").withName("ingest").get();
    }

    private static PlannedAction action(ActionSpec spec, Operation op, double maxFraction) {
        return new PlannedAction(
                "id-" + op,
                "sts-db",
                "inc",
                null,
                "scale",
                spec,
                op,
                Mode.ENFORCE,
                0,
                maxFraction,
                new Policy.Protection(null, null));
    }
}
