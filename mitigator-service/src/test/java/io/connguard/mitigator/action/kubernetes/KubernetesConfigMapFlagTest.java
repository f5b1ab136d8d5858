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
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** The ConfigMap flag undoes only its own pause, against the CRUD server. */
@QuarkusTest
@WithTestResource(value = MitigatorTestInfra.class, scope = TestResourceScope.GLOBAL)
class KubernetesConfigMapFlagTest {

    private static final ActionSpec.PauseIngestion SPEC = new ActionSpec.PauseIngestion(new ActionSpec.Flag(
            new ActionSpec.ConfigMapFlag("flagtest", "flags", "ingestion-enabled", "false", "true"), null));

    @Inject
    KubernetesConfigMapFlag flag;

    private final KubernetesClient k8s = MitigatorTestInfra.kubernetes().client();

    @Test
    void ingestionAnOperatorPausedStaysPausedAfterRecovery() {
        flags("false"); // paused by hand before the incident

        assertThat(flag.run(action(Operation.APPLY)).get(0).outcome()).isEqualTo(Outcome.NOOP);
        EffectResult restore = flag.run(action(Operation.RESTORE)).get(0);

        assertThat(restore.outcome()).isEqualTo(Outcome.NOOP);
        assertThat(restore.reason()).isEqualTo("ingestion-enabled was not paused by connguard: left as it is");
        assertThat(configMap().getData()).containsEntry("ingestion-enabled", "false");
    }

    @Test
    void aPauseIsRememberedOnTheConfigMapAndUndoneExactly() {
        flags("true");

        assertThat(flag.run(action(Operation.APPLY)).get(0).outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(configMap().getData()).containsEntry("ingestion-enabled", "false");
        assertThat(configMap().getMetadata().getAnnotations())
                .containsEntry("connguard.io/original-ingestion-enabled", "true");

        assertThat(flag.run(action(Operation.RESTORE)).get(0).outcome()).isEqualTo(Outcome.REVERTED);
        assertThat(configMap().getData()).containsEntry("ingestion-enabled", "true");
        assertThat(configMap().getMetadata().getAnnotations())
                .doesNotContainKey("connguard.io/original-ingestion-enabled");
    }

    @Test
    void aValueWithQuotesBackslashesAndNewlinesIsRememberedAndRestoredExactly() {
        String value = "on \"for now\"\\\nsince: 2026-03-14\n";
        flags(value);

        EffectResult pause = flag.run(action(Operation.APPLY)).get(0);
        assertThat(pause.outcome()).as(pause.error()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(configMap().getData()).containsEntry("ingestion-enabled", "false");
        assertThat(configMap().getMetadata().getAnnotations())
                .containsEntry("connguard.io/original-ingestion-enabled", value);

        EffectResult resume = flag.run(action(Operation.RESTORE)).get(0);
        assertThat(resume.outcome()).as(resume.error()).isEqualTo(Outcome.REVERTED);
        assertThat(configMap().getData()).containsEntry("ingestion-enabled", value);
    }

    private void flags(String value) {
        k8s.configMaps()
                .inNamespace("flagtest")
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("flags")
                        .withNamespace("flagtest")
                        .endMetadata()
                        .addToData("ingestion-enabled", value)
                        .build())
                .createOr(r -> r.update());
    }

    private ConfigMap configMap() {
        return k8s.configMaps().inNamespace("flagtest").withName("flags").get();
    }

    private static PlannedAction action(Operation op) {
        return new PlannedAction(
                "id-" + op,
                "flag-db",
                "inc",
                null,
                "pause",
                SPEC,
                op,
                Mode.ENFORCE,
                0,
                0.9,
                new Policy.Protection(null, null));
    }
}
