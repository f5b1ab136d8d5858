package io.connguard.mitigator.action;

import io.connguard.mitigator.policy.PlannedAction;
import java.util.List;

/**
 * Runs planned actions of the kinds it supports against one external system. Called on a target's worker thread
 * (never the event loop); may block. Never throws for a failure of the external system: reports FAILED instead,
 * which closes the target (no further step) until the incident ends.
 */
public interface ActionAdapter {

    boolean supports(PlannedAction action);

    List<EffectResult> run(PlannedAction action);
}
