package io.connguard.drill.scenario;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ITypeConverter;

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

    /** {@code --scenario}'s values, for picocli's help and completion. */
    public static final class Names extends ArrayList<String> {
        public Names() {
            super(NAMES);
        }
    }

    /** {@code --scenario}'s converter: an unknown name is a usage error that lists the known ones. */
    public static final class Converter implements ITypeConverter<Scenario> {
        @Override
        public Scenario convert(String name) {
            return named(name);
        }
    }
}
