package io.connguard.mitigator;

import io.connguard.events.ActionEvent;
import io.connguard.events.CloudEvent;
import io.connguard.events.EventType;
import io.connguard.events.KafkaCloudEvents;
import io.connguard.events.Level;
import io.connguard.events.Outcome;
import io.connguard.events.PressureChanged;
import io.connguard.events.Topics;
import io.connguard.infra.SharedInfra;
import io.connguard.infra.kafka.TopicTail;
import io.connguard.infra.kafka.TopicWriter;
import io.connguard.mitigator.policy.Pressure;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** One target's incident as a test drives it: its Kubernetes objects, the pressure it publishes, the actions it reads. */
final class Scenario implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(20);

    final String target;
    final String namespace;
    final String incident;
    final KubernetesClient k8s = MitigatorTestInfra.kubernetes().client();
    final TopicTail actions = TopicTail.fromNow(SharedInfra.kafka().bootstrapServers(), Topics.ACTIONS);
    final TopicWriter writer = new TopicWriter(SharedInfra.kafka().bootstrapServers());
    final List<ActionEvent> seen = new ArrayList<>();
    // the CloudEvent id each action event was published under (what the audit service deduplicates on)
    private final Map<ActionEvent, String> cloudEventIds = new IdentityHashMap<>();
    private int cursor;

    Scenario(String target) {
        this.target = target;
        this.namespace = MitigatorTestInfra.namespace(target);
        this.incident = "inc-" + target + "-" + System.nanoTime();
    }

    /** The objects the test policies act on: the flag ConfigMap, etl-worker with 4 replicas, api with a pool of 20. */
    Scenario withWorkloads() {
        k8s.configMaps()
                .inNamespace(namespace)
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("flags")
                        .withNamespace(namespace)
                        .endMetadata()
                        .withData(Map.of("ingestion-enabled", "true", "other", "kept"))
                        .build())
                .createOr(r -> r.update());
        k8s.apps()
                .deployments()
                .inNamespace(namespace)
                .resource(deployment("etl-worker", 4))
                .createOr(r -> r.update());
        k8s.apps()
                .deployments()
                .inNamespace(namespace)
                .resource(deployment("api", 3))
                .createOr(r -> r.update());
        return this;
    }

    private Deployment deployment(String name, int replicas) {
        return new DeploymentBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withNewTemplate()
                .withNewSpec()
                .addNewContainer()
                .withName(name)
                .withImage("starforge/" + name)
                .addNewEnv()
                .withName("PG_POOL_MAX")
                .withValue("20")
                .endEnv()
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    CloudEvent<PressureChanged> send(Level level, int connections) {
        return send(level, connections, 0, level == Level.OK ? "below_clear_threshold" : "periodic");
    }

    CloudEvent<PressureChanged> send(Level level, int connections, int idleInTransaction, String reason) {
        return send(event(Pressure.sample(target, incident, level, connections, idleInTransaction, reason)));
    }

    CloudEvent<PressureChanged> send(CloudEvent<PressureChanged> event) {
        writer.send(KafkaCloudEvents.toRecord(Topics.PRESSURE, event));
        return event;
    }

    CloudEvent<PressureChanged> resolved() {
        return send(event(Pressure.resolved(target, incident)));
    }

    static CloudEvent<PressureChanged> event(PressureChanged data) {
        return CloudEvent.create(
                URI.create("urn:connguard:detector"), EventType.PRESSURE_CHANGED, data.targetId(), data);
    }

    /**
     * The first action event of this target after the previous match that satisfies {@code wanted}. Every event is
     * kept in {@link #seen}, so events arriving in the same batch as a match are not lost to later assertions.
     */
    ActionEvent await(String what, Predicate<ActionEvent> wanted) {
        return await(what, wanted, () -> {});
    }

    /**
     * Like {@link #await(String, Predicate)}, publishing a fresh sample of {@code level} every 500 ms meanwhile, as the
     * detector does while a target is above OK (its periodic updates): a step is judged only on a sample taken after
     * it ran.
     */
    ActionEvent awaitWhileSampling(
            String what, Predicate<ActionEvent> wanted, Level level, int connections, int idleInTransaction) {
        long[] next = {System.nanoTime()};
        return await(what, wanted, () -> {
            if (System.nanoTime() >= next[0]) {
                send(level, connections, idleInTransaction, "periodic");
                next[0] = System.nanoTime() + Duration.ofMillis(500).toNanos();
            }
        });
    }

    private ActionEvent await(String what, Predicate<ActionEvent> wanted, Runnable meanwhile) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            for (; cursor < seen.size(); cursor++) {
                if (wanted.test(seen.get(cursor))) {
                    return seen.get(cursor++);
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "no action event with " + what + " for " + target + " within " + WAIT.toSeconds() + " s; seen: "
                                + seen.stream().map(Scenario::brief).toList());
            }
            meanwhile.run();
            receive(Duration.ofMillis(100));
        }
    }

    ActionEvent await(String action, Outcome outcome) {
        return await(action + " " + outcome, a -> a.action().equals(action) && a.outcome() == outcome);
    }

    /** The events after the previous match plus everything this target published within {@code window}. */
    List<ActionEvent> drain(Duration window) {
        receive(window);
        List<ActionEvent> rest = List.copyOf(seen.subList(cursor, seen.size()));
        cursor = seen.size();
        return rest;
    }

    private void receive(Duration window) {
        actions.drain(window).stream().filter(r -> target.equals(r.key())).forEach(r -> {
            CloudEvent<ActionEvent> event = KafkaCloudEvents.decode(r.headers(), r.value(), EventType.ACTION);
            seen.add(event.data());
            cloudEventIds.put(event.data(), event.id());
        });
    }

    /** The CloudEvent id {@code action} (an event of {@link #seen}) was published under. */
    String cloudEventId(ActionEvent action) {
        return cloudEventIds.get(action);
    }

    int replicas(String deployment) {
        return k8s.apps()
                .deployments()
                .inNamespace(namespace)
                .withName(deployment)
                .get()
                .getSpec()
                .getReplicas();
    }

    String annotation(String deployment, String key) {
        var annotations = k8s.apps()
                .deployments()
                .inNamespace(namespace)
                .withName(deployment)
                .get()
                .getMetadata()
                .getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }

    String poolSize(String deployment) {
        return k8s.apps()
                .deployments()
                .inNamespace(namespace)
                .withName(deployment)
                .get()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getEnv()
                .get(0)
                .getValue();
    }

    String flag() {
        return k8s.configMaps()
                .inNamespace(namespace)
                .withName("flags")
                .get()
                .getData()
                .get("ingestion-enabled");
    }

    static ActionEvent decode(ConsumerRecord<String, byte[]> record) {
        return KafkaCloudEvents.decode(record.headers(), record.value(), EventType.ACTION)
                .data();
    }

    static String brief(ActionEvent a) {
        return a.action() + ":" + a.outcome() + (a.reason() == null ? "" : "(" + a.reason() + ")");
    }

    @Override
    public void close() {
        // every scenario target shares one PostgreSQL server: an incident left open would let its actor's tick
        // escalate to the cancel step later and signal the next scenario's sessions
        send(Level.OK, 1, 0, PressureChanged.REASON_INCIDENT_RESOLVED);
        actions.close();
        writer.close();
    }
}
