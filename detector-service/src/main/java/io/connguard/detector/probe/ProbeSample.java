package io.connguard.detector.probe;

import io.connguard.events.Capacity;
import io.connguard.events.Connections;
import java.time.Instant;

/** One successful read of a target's connection state. */
public record ProbeSample(Instant sampledAt, double durationMs, Capacity capacity, Connections connections) {

    /** Client connections over usable capacity; above 1.0 when superusers use their reserved slots. */
    public double ratio() {
        return capacity.usable() <= 0 ? 1.0 : (double) connections.total() / capacity.usable();
    }
}
