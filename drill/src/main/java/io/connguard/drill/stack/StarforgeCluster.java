package io.connguard.drill.stack;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The simulated StarForge cluster in the Kubernetes CRUD server: namespace {@value #NAMESPACE} with the
 * {@code etl-worker} and {@code api} Deployments (each with {@value #POOL_ENV} in its env) and the
 * {@code starforge-flags} ConfigMap. What the mitigator patches here is what the simulated workload follows.
 */
public final class StarforgeCluster {

    public static final String NAMESPACE = "starforge";
    public static final String ETL_WORKER = "etl-worker";
    public static final String API = "api";
    public static final String FLAGS = "starforge-flags";
    /** The ingestion flag's key, as the mitigator's shipped default policy names it. */
    public static final String INGESTION_FLAG = "ingestion-enabled";

    public static final String POOL_ENV = "PG_POOL_MAX";

    private final KubernetesClient client;

    public StarforgeCluster(KubernetesClient client) {
        this.client = client;
    }

    /** The replicas and pool size of one Deployment as the cluster holds them. */
    public record WorkloadSpec(String name, int replicas, int poolMax) {
        /** Connections the workload holds when every replica has filled its pool. */
        public int connections() {
            return replicas * poolMax;
        }
    }

    /** Creates the namespace, the two Deployments and the flags ConfigMap (ingestion on). */
    public void seed(int workerReplicas, int workerPool, int apiReplicas, int apiPool) {
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(NAMESPACE)
                        .endMetadata()
                        .build())
                .create();
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(Stack.CONNGUARD_NAMESPACE)
                        .endMetadata()
                        .build())
                .create();
        client.apps()
                .deployments()
                .inNamespace(NAMESPACE)
                .resource(deployment(ETL_WORKER, "starforge/etl-worker:1.41.0", workerReplicas, workerPool))
                .create();
        client.apps()
                .deployments()
                .inNamespace(NAMESPACE)
                .resource(deployment(API, "starforge/api:2.7.3", apiReplicas, apiPool))
                .create();
        client.configMaps()
                .inNamespace(NAMESPACE)
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName(FLAGS)
                        .endMetadata()
                        .withData(Map.of(INGESTION_FLAG, "true"))
                        .build())
                .create();
    }

    private static Deployment deployment(String name, String image, int replicas, int pool) {
        return new DeploymentBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(Map.of("app", name))
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withNewSelector()
                .withMatchLabels(Map.of("app", name))
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(Map.of("app", name))
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName(name)
                .withImage(image)
                .addNewEnv()
                .withName(POOL_ENV)
                .withValue(Integer.toString(pool))
                .endEnv()
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    /** Every Deployment of the namespace by name (sorted), with replicas and pool size. */
    public Map<String, WorkloadSpec> workloads() {
        Map<String, WorkloadSpec> specs = new TreeMap<>(); // by name: a stable order for the progress line
        for (Deployment d :
                client.apps().deployments().inNamespace(NAMESPACE).list().getItems()) {
            specs.put(d.getMetadata().getName(), spec(d));
        }
        return specs;
    }

    private static WorkloadSpec spec(Deployment d) {
        Integer replicas = d.getSpec().getReplicas();
        int pool = d.getSpec().getTemplate().getSpec().getContainers().stream()
                .flatMap(c -> c.getEnv() == null ? java.util.stream.Stream.<EnvVar>empty() : c.getEnv().stream())
                .filter(e -> POOL_ENV.equals(e.getName()) && e.getValue() != null)
                .map(e -> parsePool(e.getValue()))
                .findFirst()
                .orElse(1);
        return new WorkloadSpec(d.getMetadata().getName(), replicas == null ? 1 : replicas, pool);
    }

    private static int parsePool(String value) {
        try {
            return Math.max(0, Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            return 1; // an application falls back to its built-in pool size on a bad value
        }
    }

    public Optional<WorkloadSpec> workload(String name) {
        Deployment d = client.apps()
                .deployments()
                .inNamespace(NAMESPACE)
                .withName(name)
                .get();
        return d == null ? Optional.empty() : Optional.of(spec(d));
    }

    /** Whether ingestion may create jobs: the flag is {@code "true"} (a missing flag or ConfigMap counts as on). */
    public boolean ingestionEnabled() {
        ConfigMap flags =
                client.configMaps().inNamespace(NAMESPACE).withName(FLAGS).get();
        if (flags == null || flags.getData() == null || !flags.getData().containsKey(INGESTION_FLAG)) {
            return true;
        }
        return "true".equalsIgnoreCase(flags.getData().get(INGESTION_FLAG).trim());
    }

    /** A deploy of the workload: a new replica count and pool size, as a CI pipeline would roll them out. */
    public void deploy(String name, int replicas, int poolMax) {
        // edit() sends a JSON patch of the difference: the CRUD server applies those exactly
        client.apps()
                .deployments()
                .inNamespace(NAMESPACE)
                .withName(name)
                .edit(d -> new DeploymentBuilder(d)
                        .editSpec()
                        .withReplicas(replicas)
                        .editTemplate()
                        .editSpec()
                        .editFirstContainer()
                        .removeMatchingFromEnv(e -> POOL_ENV.equals(e.getName()))
                        .addNewEnv()
                        .withName(POOL_ENV)
                        .withValue(Integer.toString(poolMax))
                        .endEnv()
                        .endContainer()
                        .endSpec()
                        .endTemplate()
                        .endSpec()
                        .build());
    }
}
