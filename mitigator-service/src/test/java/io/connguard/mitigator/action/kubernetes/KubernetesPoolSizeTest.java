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
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
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

    @Test
    void anEnvListReorderedBetweenReadAndPatchNeverGetsAnotherVariableOverwritten() {
        workload(List.of(value("PG_POOL_MAX", "20"), value("CACHE_MB", "512")));
        AtomicBoolean reordered = new AtomicBoolean();
        // a deploy lands between the adapter's read and its patch: the same variables, in another order
        Interceptor deployInBetween = new Interceptor() {
            @Override
            public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
                String body = request.bodyString();
                if ("PATCH".equals(request.method())
                        && body != null
                        && body.contains("/env/")
                        && reordered.compareAndSet(false, true)) {
                    k8s.apps().deployments().inNamespace("pool").withName("api").edit(d -> {
                        Collections.reverse(container(d).getEnv());
                        return d;
                    });
                }
            }
        };
        try (KubernetesClient racing = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder()
                        .withMasterUrl(MitigatorTestInfra.kubernetes().url())
                        .withNamespace("pool")
                        .build())
                .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("deploy-in-between", deployInBetween))
                .build()) {
            EffectResult shrink =
                    new KubernetesPoolSize(racing).run(action(Operation.APPLY)).get(0);

            assertThat(reordered).as("the deploy landed between read and patch").isTrue();
            assertThat(env()).containsEntry("CACHE_MB", "512");
            // the patch that expected PG_POOL_MAX at the old index was refused; the adapter read again and set it
            assertThat(shrink.outcome()).as(shrink.error()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(env()).containsEntry("PG_POOL_MAX", "5");
        }
    }

    @Test
    void aPoolSizeTakenFromAConfigMapIsRefusedAndItsReferenceKept() {
        EnvVar fromConfigMap = new EnvVarBuilder()
                .withName("PG_POOL_MAX")
                .withNewValueFrom()
                .withNewConfigMapKeyRef("pool-max", "api-settings", false)
                .endValueFrom()
                .build();
        workload(List.of(fromConfigMap));

        EffectResult shrink = pool.run(action(Operation.APPLY)).get(0);

        assertThat(shrink.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(shrink.reason())
                .isEqualTo("PG_POOL_MAX of container api is set from valueFrom, not a value: connguard only changes"
                        + " literal values, refusing to replace the reference");
        Deployment api =
                k8s.apps().deployments().inNamespace("pool").withName("api").get();
        assertThat(container(api).getEnv()).containsExactly(fromConfigMap);
        assertThat(api.getMetadata().getAnnotations()).doesNotContainKey(KubernetesPoolSize.ORIGINAL_POOL_SIZE);
        assertThat(pool.run(action(Operation.RESTORE)).get(0).outcome()).isEqualTo(Outcome.NOOP);
        assertThat(container(k8s.apps()
                                .deployments()
                                .inNamespace("pool")
                                .withName("api")
                                .get())
                        .getEnv())
                .containsExactly(fromConfigMap);
    }

    private void workload(List<EnvVar> env) {
        deployment("20");
        k8s.apps().deployments().inNamespace("pool").withName("api").edit(d -> {
            container(d).setEnv(new ArrayList<>(env));
            d.getMetadata().setAnnotations(null);
            return d;
        });
    }

    private Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        container(k8s.apps().deployments().inNamespace("pool").withName("api").get())
                .getEnv()
                .forEach(e -> env.put(e.getName(), e.getValue()));
        return env;
    }

    private static EnvVar value(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }

    private static Container container(Deployment d) {
        return d.getSpec().getTemplate().getSpec().getContainers().get(0);
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
