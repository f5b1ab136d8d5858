package io.connguard.mitigator.metrics;

import io.connguard.events.ActionEvent;
import io.connguard.events.Outcome;
import io.connguard.mitigator.config.MitigatorConfig;
import io.connguard.mitigator.config.Policies;
import io.connguard.mitigator.policy.ActionSpec;
import io.connguard.mitigator.policy.Policy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/**
 * The mitigator's counters, registered at zero at start-up for every configured target and every action its policy
 * can take. Prometheus' {@code increase()} needs a sample before the first increment to see one: a counter created
 * by its first increment starts its series at 1, and an alert on {@code increase(...) > 0} never fires for that first
 * failure. Only configured targets and their policies' action names are registered, so the number of series is
 * bounded by the configuration, never by the input (an unconfigured target's events are dead-lettered before they
 * reach an actor).
 */
@Startup
@ApplicationScoped
public class MitigatorMeters {

    static final String ACTIONS = "connguard.actions";
    static final String BUDGET_EXHAUSTED = "connguard.budget.exhausted";
    static final String NOTIFY_FAILURES = "connguard.notify.failures";
    static final String NOTIFY_SUPPRESSED = "connguard.notify.suppressed";

    private final MeterRegistry registry;

    @Inject
    MitigatorMeters(MeterRegistry registry, MitigatorConfig config, Policies policies) {
        this(registry);
        config.targets().keySet().forEach(target -> registerAtZero(target, policies.forTarget(target)));
    }

    /** Counters created as they are first used: for code tested without the service's configuration. */
    public MitigatorMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    private void registerAtZero(String target, Policy policy) {
        for (Policy.Step step : policy.ladder()) {
            if (!step.enabled()) {
                continue;
            }
            ActionSpec spec = step.action();
            for (String name : spec.actionNames()) {
                // the outcome each name ends in when it works, and the two an alert or a human watches for
                Outcome done = name.equals(spec.restoredName()) ? Outcome.REVERTED : Outcome.SUCCEEDED;
                for (Outcome outcome : List.of(done, Outcome.FAILED, Outcome.SKIPPED)) {
                    actions(target, name, outcome);
                }
            }
            budgetExhausted(target, spec.appliedName());
        }
        if (policy.notification() != null) {
            notifyFailures(target);
            suppressedNotifications(target);
        }
    }

    /** Counts one published action event; a step a budget stopped also counts as a budget hit. */
    public void published(String target, ActionEvent event) {
        actions(target, event.action(), event.outcome()).increment();
        if (event.outcome() == Outcome.SKIPPED
                && event.reason() != null
                && event.reason().startsWith("budget")) {
            budgetExhausted(target, event.action()).increment();
        }
    }

    /** Counts one notification the webhook did not accept (or that could not be sent). */
    public void notifyFailed(String target) {
        notifyFailures(target).increment();
    }

    /** Counts one notification the rate limit dropped. */
    public void notifySuppressed(String target) {
        suppressedNotifications(target).increment();
    }

    private Counter actions(String target, String action, Outcome outcome) {
        return Counter.builder(ACTIONS)
                .description("Action events published, by target, action and outcome")
                .tag("target", target)
                .tag("action", action)
                .tag("outcome", outcome.name())
                .register(registry);
    }

    private Counter budgetExhausted(String target, String action) {
        return Counter.builder(BUDGET_EXHAUSTED)
                .description("Steps a guardrail budget stopped (actions per incident or hour, sessions per minute)")
                .tag("target", target)
                .tag("action", action)
                .register(registry);
    }

    private Counter notifyFailures(String target) {
        return Counter.builder(NOTIFY_FAILURES)
                .description("Notifications the notify webhook did not accept or that could not be sent")
                .tag("target", target)
                .register(registry);
    }

    private Counter suppressedNotifications(String target) {
        return Counter.builder(NOTIFY_SUPPRESSED)
                .description("Notifications not posted because the webhook's rate limit was reached")
                .tag("target", target)
                .register(registry);
    }
}
