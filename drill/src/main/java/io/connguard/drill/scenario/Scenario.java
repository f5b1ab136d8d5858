package io.connguard.drill.scenario;

import io.connguard.drill.observe.Milestones;
import io.connguard.drill.stack.Stack;
import java.util.List;

/**
 * One incident the drill injects into a running {@link Stack}. Lifecycle: {@link #prepare} before the baseline, {@link #inject} at onset, {@link #problems}
 * once the generic milestones are reached (or the drill times out), {@link #close()} when the drill ends.
 */
public interface Scenario extends AutoCloseable {

    /** The {@code --scenario} value. */
    String name();

    /** One sentence: what happens to StarForge. */
    String description();

    /** Sets up the scenario's baseline before onset (the drill then waits for the workload to settle). */
    default void prepare(Stack stack) throws Exception {}

    /** Starts the incident; returns once it has been set in motion. */
    void inject(Stack stack) throws Exception;

    /**
     * What this scenario's loop additionally requires, checked against the stack's state now: an empty list when
     * every check passed, else one sentence per thing that did not happen. Also called while the drill runs, to
     * decide whether it is done.
     */
    List<String> problems(Stack stack, Milestones milestones);

    /** Lines describing the scenario's outcome for the report (what was restored, what was signalled). */
    List<String> outcome(Stack stack, Milestones milestones);

    @Override
    default void close() {}
}
