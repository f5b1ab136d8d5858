package io.connguard.mitigator.action.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.connguard.events.Mode;
import io.connguard.events.Outcome;
import io.connguard.mitigator.MitigatorTestInfra;
import io.connguard.mitigator.policy.ActionSpec;
import io.connguard.mitigator.policy.Operation;
import io.connguard.mitigator.policy.PlannedAction;
import io.connguard.mitigator.policy.Policy;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** The pool-size env var and its remembered original, against the CRUD server. */
@QuarkusTest
@WithTestResource(value = MitigatorTestInfra.class, scope = TestResourceScope.GLOBAL)
class KubernetesPoolSizeTest {

    private static final ActionSpec.ShrinkPool SPEC =
            new ActionSpec.ShrinkPool(new ActionSpec.Workload("Deployment", "pool", "api"), null, null, 5);

    @Inject
    KubernetesPoolSize pool;

    private final KubernetesClient k8s = MitigatorTestInfra.kubernetes().client();

    @Test
    void aPoolSizeSetBackByADeployDuringTheIncidentLeavesNoStaleOriginalForTheNextOne() {
        deployment("20");
        assertThat(pool.run(action(Operation.APPLY)).get(0).outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(poolSize()).isEqualTo("5");

        setPoolMax("20"); // a GitOps sync puts the manifest's value back mid-incident
        assertThat(pool.run(action(Operation.RESTORE)).get(0).outcome()).isEqualTo(Outcome.NOOP);
        assertThat(k8s.apps()
                        .deployments()
                        .inNamespace("pool")
                        .withName("api")
                        .get()
                        .getMetadata()
                        .getAnnotations())
                .doesNotContainKey(KubernetesPoolSize.ORIGINAL_POOL_SIZE);

        setPoolMax("30"); // a later release raises the pool
        pool.run(action(Operation.APPLY));
        pool.run(action(Operation.RESTORE));
        assertThat(poolSize()).isEqualTo("30");
    }

    private void deployment(String poolMax) {
        k8s.apps()
                .deployments()
                .inNamespace("pool")
                .resource(new DeploymentBuilder()
                        .withNewMetadata()
                        .withName("api")
                        .withNamespace("pool")
                        .endMetadata()
                        .withNewSpec()
                        .withReplicas(2)
                        .withNewTemplate()
                        .withNewSpec()
                        .addNewContainer()
                        .withName("api")
                        .withImage("api:1")
                        .addNewEnv()
                        .withName("PG_POOL_MAX")
                        .withValue(poolMax)
                        .endEnv()
                        .endContainer()
                        .endSpec()
                        .endTemplate()
                        .endSpec()
                        .build())
                .createOr(r -> r.update());
    }

    private void setPoolMax(String value) {
        k8s.apps().deployments().inNamespace("pool").withName("api").edit(d -> {
            poolMaxEnv(d).setValue(value);
            return d;
        });
        assertThat(poolSize()).isEqualTo(value);
    }

    private String poolSize() {
        return poolMaxEnv(k8s.apps()
                        .deployments()
                        .inNamespace("pool")
                        .withName("api")
                        .get())
                .getValue();
    }

    private static EnvVar poolMaxEnv(Deployment d) {
        return d.getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getEnv()
                .get(0);
    }

    private static PlannedAction action(Operation op) {
        return new PlannedAction(
                "id-" + op,
                "pool-db",
                "inc",
                null,
                "shrink-pools",
                SPEC,
                op,
                Mode.ENFORCE,
                0,
                0.9,
                new Policy.Protection(null, null));
    }
}
