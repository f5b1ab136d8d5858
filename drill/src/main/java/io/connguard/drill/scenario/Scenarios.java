package io.connguard.drill.scenario;

import java.util.List;

/** The scenarios {@code --scenario} accepts. */
public final class Scenarios {

    public static final List<String> NAMES = List.of(WorkerStorm.NAME, RunawayBackfill.NAME);

    private Scenarios() {}

    /** The scenario of that name; fails listing the known ones. */
    public static Scenario named(String name) {
        if (WorkerStorm.NAME.equals(name)) {
            return new WorkerStorm();
        }
        if (RunawayBackfill.NAME.equals(name)) {
            return new RunawayBackfill();
        }
        throw new IllegalArgumentException("unknown scenario '" + name + "', expected one of " + NAMES);
    }
}
