package io.connguard.system.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** The mitigation policy a kustomize build ships: policy.yaml of the ConfigMap the mitigator mounts. */
final class MitigatorPolicy {

    private MitigatorPolicy() {}

    static JsonNode of(List<JsonNode> objects) {
        JsonNode mitigator = KustomizeBuildTest.named(objects, "Deployment", "connguard-mitigator");
        String configMap = null;
        for (JsonNode volume : mitigator.at("/spec/template/spec/volumes")) {
            if ("policy".equals(volume.at("/name").asText())) {
                configMap = volume.at("/configMap/name").asText();
            }
        }
        if (configMap == null) {
            throw new AssertionError("the mitigator mounts no volume named policy");
        }
        JsonNode data =
                KustomizeBuildTest.named(objects, "ConfigMap", configMap).at("/data/policy.yaml");
        if (data.isMissingNode()) {
            throw new AssertionError("ConfigMap " + configMap + " has no policy.yaml");
        }
        return Kustomize.parse(data.asText());
    }
}
