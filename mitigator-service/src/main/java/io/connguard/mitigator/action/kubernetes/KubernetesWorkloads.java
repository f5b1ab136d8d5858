package io.connguard.mitigator.action.kubernetes;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.connguard.events.Command;
import io.connguard.mitigator.policy.ActionSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.RollableScalableResource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Map;

/**
 * Deployments and StatefulSets seen through what the mitigator needs of both (replicas, pod template), and the
 * annotations that remember originals on any object.
 */
final class KubernetesWorkloads {

    private KubernetesWorkloads() {}

    static RollableScalableResource<? extends HasMetadata> resource(KubernetesClient client, ActionSpec.Workload w) {
        return "StatefulSet".equals(w.kind())
                ? client.apps().statefulSets().inNamespace(w.namespace()).withName(w.name())
                : client.apps().deployments().inNamespace(w.namespace()).withName(w.name());
    }

    static String plural(ActionSpec.Workload w) {
        return "StatefulSet".equals(w.kind()) ? "statefulsets" : "deployments";
    }

    /** The GET that reads the workload, named in a result when the read itself fails. */
    static Command reading(ActionSpec.Workload w) {
        return new Command("kubernetes", "GET apps/v1 " + plural(w) + "/" + w.name(), w.namespace() + "/" + w.name());
    }

    static int replicas(HasMetadata workload) {
        Integer r = workload instanceof StatefulSet s
                ? s.getSpec().getReplicas()
                : ((Deployment) workload).getSpec().getReplicas();
        return r == null ? 1 : r;
    }

    static PodTemplateSpec template(HasMetadata workload) {
        return workload instanceof StatefulSet s
                ? s.getSpec().getTemplate()
                : ((Deployment) workload).getSpec().getTemplate();
    }

    static String annotation(HasMetadata workload, String key) {
        Map<String, String> annotations = workload.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }

    /**
     * Sets one annotation with a JSON merge patch, leaving everything else alone. Built as JSON, never by pasting
     * strings: a remembered value may hold quotes, backslashes or newlines (a flag's value is anyone's text).
     */
    static void annotate(Resource<? extends HasMetadata> resource, String key, String value) {
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        patch.putObject("metadata").putObject("annotations").put(key, value);
        resource.patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
    }

    /** Removes one annotation with a JSON patch (the key escaped as RFC 6901 asks: '/' as '~1', '~' as '~0'). */
    static void removeAnnotation(Resource<? extends HasMetadata> resource, String key) {
        ArrayNode patch = JsonNodeFactory.instance.arrayNode();
        patch.addObject().put("op", "remove").put("path", pointer("metadata", "annotations", key));
        resource.patch(PatchContext.of(PatchType.JSON), patch.toString());
    }

    /** A JSON pointer (RFC 6901) to the member at {@code segments}, each escaped. */
    static String pointer(Object... segments) {
        JsonPointer pointer = JsonPointer.empty();
        for (Object segment : segments) {
            pointer = segment instanceof Integer index
                    ? pointer.appendIndex(index)
                    : pointer.appendProperty(segment.toString());
        }
        return pointer.toString();
    }
}
