package io.connguard.system.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.connguard.infra.kubernetes.KubernetesCrudServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each overlay's build applied to the Kubernetes CRUD test server, then its RBAC read back from the API: every
 * permission the mitigator's code uses (mitigator-service/DESIGN.md, "Required permissions") is granted for the
 * objects the shipped policy names, and nothing broader: no ClusterRole or ClusterRoleBinding, no wildcard, no
 * Secrets, nothing outside DESIGN.md's table, and no Kubernetes access at all for the detector and the audit service.
 */
class KubernetesRbacTest {

    private static final String NAMESPACE = "connguard";
    private static final String MITIGATOR_SA = "connguard-mitigator";

    /** A permission: API group ("" for core), resource (with subresource), verb, namespace and object name. */
    record Grant(String namespace, String group, String resource, String verb, String name) {
        boolean covers(Grant needed) {
            return namespace.equals(needed.namespace)
                    && group.equals(needed.group)
                    && resource.equals(needed.resource)
                    && verb.equals(needed.verb)
                    && (name == null || name.equals(needed.name));
        }
    }

    static List<String> overlays() {
        return Kustomize.overlays();
    }

    /** What one overlay's build left in the API server: the objects, and its RBAC read back from the API. */
    record Applied(KubernetesClient client, List<Role> roles, List<RoleBinding> bindings) {}

    private static final Map<String, KubernetesCrudServer> servers = new ConcurrentHashMap<>();
    private static final Map<String, Applied> applied = new ConcurrentHashMap<>();

    /** The overlay applied to a CRUD API server of its own (once per overlay), as kubectl apply -k would. */
    private static Applied applied(String overlay) {
        return applied.computeIfAbsent(overlay, o -> {
            KubernetesCrudServer server = servers.computeIfAbsent(o, ignored -> KubernetesCrudServer.start());
            KubernetesClient client = server.client();
            List<HasMetadata> objects = apply(client, Kustomize.build("overlays/" + o));
            Set<String> namespaces = objects.stream()
                    .map(object -> object.getMetadata().getNamespace())
                    .filter(ns -> ns != null)
                    .collect(Collectors.toCollection(TreeSet::new));
            List<Role> roles = new ArrayList<>();
            List<RoleBinding> bindings = new ArrayList<>();
            for (String ns : namespaces) {
                roles.addAll(client.rbac().roles().inNamespace(ns).list().getItems());
                bindings.addAll(
                        client.rbac().roleBindings().inNamespace(ns).list().getItems());
            }
            return new Applied(client, roles, bindings);
        });
    }

    @AfterAll
    static void stop() {
        servers.values().forEach(KubernetesCrudServer::close);
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void nothingIsClusterWideWildcardOrSecret(String overlay) {
        Applied cluster = applied(overlay);
        assertThat(cluster.client().rbac().clusterRoles().list().getItems())
                .as("no ClusterRole")
                .isEmpty();
        assertThat(cluster.client().rbac().clusterRoleBindings().list().getItems())
                .as("no ClusterRoleBinding")
                .isEmpty();
        assertThat(cluster.roles()).isNotEmpty();
        for (Role role : cluster.roles()) {
            for (PolicyRule rule : role.getRules()) {
                String where = role.getMetadata().getNamespace() + "/"
                        + role.getMetadata().getName();
                assertThat(rule.getVerbs()).as("verbs of %s", where).doesNotContain("*");
                assertThat(rule.getResources()).as("resources of %s", where).doesNotContain("*");
                assertThat(rule.getApiGroups()).as("API groups of %s", where).doesNotContain("*");
                assertThat(rule.getResources()).as("resources of %s", where).doesNotContain("secrets");
                assertThat(rule.getNonResourceURLs()).as("URLs of %s", where).isNullOrEmpty();
                // reads and writes of single objects are limited to the objects it uses; resourceNames cannot
                // narrow list, watch and create
                for (String verb : rule.getVerbs()) {
                    if (!verb.equals("list") && !verb.equals("watch") && !verb.equals("create")) {
                        assertThat(rule.getResourceNames())
                                .as("%s %s in %s is limited to named objects", verb, rule.getResources(), where)
                                .isNotEmpty();
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void onlyTheMitigatorHasKubernetesPermissions(String overlay) {
        Applied cluster = applied(overlay);
        Set<String> boundAccounts = new HashSet<>();
        for (RoleBinding binding : cluster.bindings()) {
            assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
            binding.getSubjects().forEach(s -> {
                assertThat(s.getKind()).isEqualTo("ServiceAccount");
                boundAccounts.add(s.getNamespace() + "/" + s.getName());
            });
        }
        assertThat(boundAccounts).containsExactly(NAMESPACE + "/" + MITIGATOR_SA);
        for (String sa : List.of("connguard-detector", "connguard-audit")) {
            ServiceAccount account = cluster.client()
                    .serviceAccounts()
                    .inNamespace(NAMESPACE)
                    .withName(sa)
                    .get();
            assertThat(account).as("ServiceAccount %s", sa).isNotNull();
            assertThat(account.getAutomountServiceAccountToken())
                    .as("%s mounts no API token", sa)
                    .isFalse();
        }
        assertThat(cluster.client()
                        .apps()
                        .deployments()
                        .inNamespace(NAMESPACE)
                        .withName("connguard-mitigator")
                        .get()
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getServiceAccountName())
                .isEqualTo(MITIGATOR_SA);
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void theMitigatorIsGrantedWhatItsCodeUsesAndNothingMore(String overlay) throws Exception {
        Applied cluster = applied(overlay);
        List<Grant> granted = grantsOf(cluster.roles(), cluster.bindings(), MITIGATOR_SA);
        Set<List<String>> designed = designedPermissions();

        // nothing beyond what DESIGN.md says the code uses
        for (Grant grant : granted) {
            assertThat(designed)
                    .as("%s is not in mitigator-service/DESIGN.md's required permissions", grant)
                    .contains(List.of(grant.group(), grant.resource(), grant.verb()));
        }
        // everything the code uses for the shipped policy
        for (Grant needed : needed(overlay, designed)) {
            assertThat(granted).as("needed: %s", needed).anyMatch(g -> g.covers(needed));
        }
    }

    /** Creates every object of a kustomize build, namespaces first, the way kubectl apply would. */
    private static List<HasMetadata> apply(KubernetesClient client, String yaml) {
        List<HasMetadata> objects = client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
                .items();
        Set<String> namespaces = new LinkedHashSet<>();
        objects.forEach(o -> {
            if (o.getMetadata().getNamespace() != null) {
                namespaces.add(o.getMetadata().getNamespace());
            }
        });
        // the application's namespace (starforge) exists before connguard is installed
        for (String ns : namespaces) {
            client.namespaces()
                    .resource(new NamespaceBuilder()
                            .withNewMetadata()
                            .withName(ns)
                            .endMetadata()
                            .build())
                    .createOr(existing -> existing.update());
        }
        List<HasMetadata> applied = new ArrayList<>();
        for (HasMetadata object : objects) {
            if (object.getKind().equals("Namespace")) {
                continue;
            }
            if (object instanceof GenericKubernetesResource custom) {
                // Prometheus Operator objects: the CRUD server stores them under the CRD's plural like a cluster
                // with the operator's CRDs installed
                applied.add(client.genericKubernetesResources(definitionOf(custom))
                        .resource(custom)
                        .createOr(existing -> existing.update()));
            } else {
                applied.add(client.resource(object).createOr(existing -> existing.update()));
            }
        }
        return applied;
    }

    private static ResourceDefinitionContext definitionOf(GenericKubernetesResource custom) {
        String[] groupVersion = custom.getApiVersion().split("/", 2);
        return new ResourceDefinitionContext.Builder()
                .withGroup(groupVersion[0])
                .withVersion(groupVersion[1])
                .withKind(custom.getKind())
                .withPlural(custom.getKind().toLowerCase(java.util.Locale.ROOT) + "s")
                .withNamespaced(true)
                .build();
    }

    private static List<Grant> grantsOf(List<Role> roles, List<RoleBinding> bindings, String serviceAccount) {
        List<Grant> grants = new ArrayList<>();
        for (RoleBinding binding : bindings) {
            boolean boundToAccount = binding.getSubjects().stream()
                    .anyMatch(s -> serviceAccount.equals(s.getName()) && NAMESPACE.equals(s.getNamespace()));
            if (!boundToAccount) {
                continue;
            }
            String ns = binding.getMetadata().getNamespace();
            Role role = roles.stream()
                    .filter(r -> ns.equals(r.getMetadata().getNamespace())
                            && r.getMetadata()
                                    .getName()
                                    .equals(binding.getRoleRef().getName()))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(
                            "RoleBinding " + ns + "/" + binding.getMetadata().getName() + " refers to a missing Role"));
            for (PolicyRule rule : role.getRules()) {
                List<String> names = rule.getResourceNames() == null
                                || rule.getResourceNames().isEmpty()
                        ? Collections.singletonList(null)
                        : rule.getResourceNames();
                for (String group : rule.getApiGroups()) {
                    for (String resource : rule.getResources()) {
                        for (String verb : rule.getVerbs()) {
                            for (String name : names) {
                                grants.add(new Grant(ns, group, resource, verb, name));
                            }
                        }
                    }
                }
            }
        }
        return grants;
    }

    /**
     * (group, resource, verb) rows of the "Required permissions" table in mitigator-service/DESIGN.md, the
     * mitigator's own statement of what its code calls.
     */
    static Set<List<String>> designedPermissions() throws Exception {
        String design = Files.readString(RepositoryFiles.resolve("mitigator-service/DESIGN.md"));
        int section = design.indexOf("## Required permissions");
        assertThat(section)
                .as("mitigator-service/DESIGN.md has a 'Required permissions' section")
                .isNotNegative();
        Pattern row = Pattern.compile("^\\|\\s*`([^`]*)`\\s*\\|([^|]+)\\|([^|]+)\\|", Pattern.MULTILINE);
        Pattern code = Pattern.compile("`([^`]+)`");
        Set<List<String>> permissions = new HashSet<>();
        Matcher rows = row.matcher(design.substring(section));
        while (rows.find()) {
            String group = rows.group(1).equals("\"\"") ? "" : rows.group(1);
            for (String resource : codeSpans(code, rows.group(2))) {
                for (String verb : codeSpans(code, rows.group(3))) {
                    permissions.add(List.of(group, resource, verb));
                }
            }
        }
        assertThat(permissions).as("permissions parsed from DESIGN.md").isNotEmpty();
        return permissions;
    }

    private static List<String> codeSpans(Pattern code, String cell) {
        List<String> spans = new ArrayList<>();
        Matcher m = code.matcher(cell);
        while (m.find()) {
            spans.add(m.group(1));
        }
        return spans;
    }

    /**
     * What the mitigator's code calls for this overlay's policy: its own namespace's state and kill-switch
     * ConfigMaps, and per enabled step the flag ConfigMap, or the workload, its scale subresource and the HPAs
     * of its namespace.
     */
    private static List<Grant> needed(String overlay, Set<List<String>> designed) {
        List<Grant> needed = new ArrayList<>();
        // the kill switch and the state of each target the mitigator is configured for
        for (String configMap : List.of("connguard-mitigator-control", "connguard-mitigator-state-starforge")) {
            for (List<String> p : designed) {
                if (p.get(1).equals("configmaps")) {
                    needed.add(new Grant(NAMESPACE, "", "configmaps", p.get(2), configMap));
                }
            }
        }
        JsonNode policy = MitigatorPolicy.of(Kustomize.objects("overlays/" + overlay));
        for (JsonNode step : policy.at("/ladder")) {
            if (!step.at("/enabled").asBoolean(true)) {
                continue;
            }
            JsonNode action = step.at("/action");
            switch (action.at("/kind").asText()) {
                case "pause-ingestion" -> {
                    JsonNode flag = action.at("/flag/config-map");
                    if (!flag.isMissingNode()) {
                        String ns = flag.at("/namespace").asText();
                        String name = flag.at("/name").asText();
                        needed.add(new Grant(ns, "", "configmaps", "get", name));
                        needed.add(new Grant(ns, "", "configmaps", "patch", name));
                    }
                }
                case "scale-workload", "shrink-pool" -> {
                    JsonNode workload = action.at("/workload");
                    String ns = workload.at("/namespace").asText();
                    String name = workload.at("/name").asText();
                    String resource = workload.at("/kind").asText().toLowerCase() + "s";
                    needed.add(new Grant(ns, "apps", resource, "get", name));
                    needed.add(new Grant(ns, "apps", resource, "patch", name));
                    if (action.at("/kind").asText().equals("scale-workload")) {
                        needed.add(new Grant(ns, "apps", resource + "/scale", "get", name));
                        needed.add(new Grant(ns, "apps", resource + "/scale", "update", name));
                        needed.add(new Grant(ns, "autoscaling", "horizontalpodautoscalers", "list", null));
                    }
                }
                default -> {
                    // cancel-queries, terminate-idle-in-transaction: PostgreSQL only
                }
            }
        }
        return needed;
    }
}
