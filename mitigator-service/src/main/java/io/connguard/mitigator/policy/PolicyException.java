package io.connguard.mitigator.policy;

import java.util.List;

/** A policy that cannot be used; the message names the file, the path in it and each problem. */
public final class PolicyException extends RuntimeException {

    private final List<String> problems;

    public PolicyException(String file, List<String> problems) {
        super("invalid mitigation policy " + file + ":\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
