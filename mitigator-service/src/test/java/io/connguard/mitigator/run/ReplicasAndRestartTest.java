package io.connguard.mitigator.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connguard.events.ActionEvent;
import io.connguard.events.Level;
import io.connguard.events.Outcome;
import io.connguard.events.PressureChanged;
import io.connguard.mitigator.MitigatorTestInfra;
import io.connguard.mitigator.action.ActionAdapter;
import io.connguard.mitigator.action.http.SlackNotifier;
import io.connguard.mitigator.action.kubernetes.KubernetesScale;
import io.connguard.mitigator.action.kubernetes.KubernetesStateStore;
import io.connguard.mitigator.config.Policies;
import io.connguard.mitigator.policy.MitigationEngine;
import io.connguard.mitigator.policy.Pressure;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * Two mitigator replicas deciding for one target at once act once, and a mitigator that dies mid-incident is
 * replaced by one that restores what the first changed. Each "replica" is a {@link TargetActor} with its own engine
 * and no shared memory: all they share is the Kubernetes state, exactly as two pods would.
 */
@QuarkusTest
@WithTestResource(value = MitigatorTestInfra.class, scope = TestResourceScope.GLOBAL)
class ReplicasAndRestartTest {

    private static final MitigationEngine.Guard OPEN = new MitigationEngine.Guard(false, Pressure.FULL);

    @Inject
    Policies policies;

    @Inject
    KubernetesStateStore store;

    @Inject
    Instance<ActionAdapter> adapters;

    @Inject
    SlackNotifier notifier;

    @Inject
    Clock clock;

    private final KubernetesClient k8s = MitigatorTestInfra.kubernetes().client();

    @Test
    void twoReplicasRacingOnOneTargetActOnce() throws Exception {
        String target = "race-db";
        objects(target);
        List<ActionEvent> events = new CopyOnWriteArrayList<>();
        TargetActor a = replica(target);
        TargetActor b = replica(target);
        CountDownLatch start = new CountDownLatch(1);
        PressureChanged pressure = Pressure.sample(target, "inc-race", Level.ELEVATED, 80);
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> {
            awaitLatch(start);
            a.onPressure("replica-a-saw-this", pressure, OPEN, events::add);
        });
        CompletableFuture<Void> second = CompletableFuture.runAsync(() -> {
            awaitLatch(start);
            b.onPressure("replica-b-saw-this", pressure, OPEN, events::add);
        });
        start.countDown();
        CompletableFuture.allOf(first, second).get();

        assertThat(events).filteredOn(e -> e.outcome() == Outcome.SUCCEEDED).hasSize(1);
        assertThat(events).filteredOn(e -> e.outcome() == Outcome.PLANNED).hasSize(1);
        assertThat(flag(target)).isEqualTo("false");
    }

    @Test
    void aMitigatorKilledMidIncidentIsReplacedByOneThatRestoresTheOriginalReplicas() throws Exception {
        String target = "restart-db";
        objects(target);
        List<ActionEvent> events = new CopyOnWriteArrayList<>();
        TargetActor dying = replica(target);
        // 70 connections when the workers were scaled down: all 4 back is predicted at ratio 0.70, the ceiling, so
        // the restore is complete (a scale-down decided above the ceiling restores only the safe count)
        dying.onPressure("e1", Pressure.sample(target, "inc-restart", Level.ELEVATED, 70), OPEN, events::add);
        Thread.sleep(1100);
        dying.onPressure("e2", Pressure.sample(target, "inc-restart", Level.ELEVATED, 70), OPEN, events::add);
        assertThat(replicas(target)).isEqualTo(1);
        assertThat(events)
                .filteredOn(e -> e.outcome() == Outcome.SUCCEEDED)
                .extracting(ActionEvent::action)
                .containsExactly("pause-ingestion", "scale-workload");

        // the first mitigator is gone; a new one knows nothing but what Kubernetes holds
        TargetActor successor = replica(target);
        successor.onPressure("e2", Pressure.sample(target, "inc-restart", Level.ELEVATED, 70), OPEN, events::add);
        assertThat(events).filteredOn(e -> e.outcome() == Outcome.SUCCEEDED).hasSize(2); // redelivery: no repeat
        successor.onPressure("e3", Pressure.resolved(target, "inc-restart"), OPEN, events::add);
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    successor.onTick(OPEN, events::add);
                    assertThat(replicas(target)).isEqualTo(4);
                    assertThat(flag(target)).isEqualTo("true");
                });
        assertThat(k8s.apps()
                        .deployments()
                        .inNamespace(MitigatorTestInfra.namespace(target))
                        .withName("etl-worker")
                        .get()
                        .getMetadata()
                        .getAnnotations())
                .doesNotContainKey(KubernetesScale.ORIGINAL_REPLICAS);
    }

    private TargetActor replica(String target) {
        return new TargetActor(
                target,
                new MitigationEngine(policies.forTarget(target), clock),
                store,
                adapters.stream().toList(),
                notifier,
                clock);
    }

    private void objects(String target) {
        String ns = MitigatorTestInfra.namespace(target);
        k8s.configMaps()
                .inNamespace(ns)
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("flags")
                        .withNamespace(ns)
                        .endMetadata()
                        .withData(Map.of("ingestion-enabled", "true"))
                        .build())
                .createOr(r -> r.update());
        k8s.apps()
                .deployments()
                .inNamespace(ns)
                .resource(new DeploymentBuilder()
                        .withNewMetadata()
                        .withName("etl-worker")
                        .withNamespace(ns)
                        .endMetadata()
                        .withNewSpec()
                        .withReplicas(4)
                        .endSpec()
                        .build())
                .createOr(r -> r.update());
    }

    private String flag(String target) {
        return k8s.configMaps()
                .inNamespace(MitigatorTestInfra.namespace(target))
                .withName("flags")
                .get()
                .getData()
                .get("ingestion-enabled");
    }

    private int replicas(String target) {
        return k8s.apps()
                .deployments()
                .inNamespace(MitigatorTestInfra.namespace(target))
                .withName("etl-worker")
                .get()
                .getSpec()
                .getReplicas();
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
