package io.connguard.mitigator.policy;

/** What an adapter reports back to the engine after running a planned action. */
public record EffectReport(String actionId, String step, boolean failed, String error, int sessionsSignalled) {}
