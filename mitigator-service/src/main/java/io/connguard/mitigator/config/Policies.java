package io.connguard.mitigator.config;

import io.connguard.mitigator.policy.Policy;
import io.connguard.mitigator.policy.PolicyLoader;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The policies in force, loaded and validated at start-up: an invalid file stops the service with a
 * {@link io.connguard.mitigator.policy.PolicyException} naming the file, the path in it and the problem.
 */
@Startup
@ApplicationScoped
public class Policies {

    private final Policy global;
    private final Map<String, Policy> perTarget = new HashMap<>();

    Policies(MitigatorConfig config) {
        this.global =
                config.policyFile().map(f -> PolicyLoader.load(Path.of(f))).orElseGet(PolicyLoader::loadDefault);
        config.targets()
                .forEach((id, target) ->
                        target.policyFile().ifPresent(f -> perTarget.put(id, PolicyLoader.load(Path.of(f)))));
    }

    public Policy forTarget(String targetId) {
        return perTarget.getOrDefault(targetId, global);
    }

    /** Every policy in force: the service-wide one and each target's own. */
    public List<Policy> all() {
        List<Policy> all = new ArrayList<>(perTarget.values());
        all.add(global);
        return all;
    }
}
