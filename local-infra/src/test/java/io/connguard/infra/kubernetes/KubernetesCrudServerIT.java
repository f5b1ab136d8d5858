package io.connguard.infra.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.Test;

class KubernetesCrudServerIT {

    @Test
    void aCreatedDeploymentCanBeReadBackAndScaled() {
        try (KubernetesCrudServer server = KubernetesCrudServer.start()) {
            KubernetesClient client = server.client();
            Deployment deployment = new DeploymentBuilder()
                    .withNewMetadata()
                    .withName("ingest-workers")
                    .withNamespace("starforge")
                    .endMetadata()
                    .withNewSpec()
                    .withReplicas(4)
                    .withNewSelector()
                    .addToMatchLabels("app", "ingest-workers")
                    .endSelector()
                    .withNewTemplate()
                    .withNewMetadata()
                    .addToLabels("app", "ingest-workers")
                    .endMetadata()
                    .withNewSpec()
                    .addNewContainer()
                    .withName("worker")
                    .withImage("starforge/ingest:1")
                    .endContainer()
                    .endSpec()
                    .endTemplate()
                    .endSpec()
                    .build();
            client.apps()
                    .deployments()
                    .inNamespace("starforge")
                    .resource(deployment)
                    .create();

            Deployment stored = client.apps()
                    .deployments()
                    .inNamespace("starforge")
                    .withName("ingest-workers")
                    .get();
            assertThat(stored).isNotNull();
            assertThat(stored.getSpec().getReplicas()).isEqualTo(4);

            client.apps()
                    .deployments()
                    .inNamespace("starforge")
                    .withName("ingest-workers")
                    .scale(1);

            // a separate client built from url() sees the same store, as the drill's services will
            Config config = new ConfigBuilder()
                    .withMasterUrl(server.url())
                    .withNamespace("starforge")
                    .build();
            try (KubernetesClient other =
                    new KubernetesClientBuilder().withConfig(config).build()) {
                assertThat(other.apps()
                                .deployments()
                                .withName("ingest-workers")
                                .get()
                                .getSpec()
                                .getReplicas())
                        .isEqualTo(1);
            }
        }
    }
}
