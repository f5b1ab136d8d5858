package io.connguard.events;

import java.util.Objects;

/**
 * Kafka topic names of the contract.
 *
 * <p>Records on {@link #PRESSURE} and {@link #ACTIONS} are keyed by target id, so all events of one target
 * land in one partition and are read in the order they were written. A consumer that cannot read a
 * record forwards it unchanged to the topic's dead-letter topic ({@link #deadLetterOf(String)}) with a
 * {@value KafkaCloudEvents#DEAD_LETTER_REASON} header instead of blocking its partition.
 */
public final class Topics {

    /** {@link EventType#PRESSURE_CHANGED} events, written by the detector. */
    public static final String PRESSURE = "connguard.pressure";

    /** {@link EventType#ACTION} events: every decision and action of the mitigator. */
    public static final String ACTIONS = "connguard.actions";

    /**
     * {@link EventType#CHAIN_CHECKPOINT} events, written by the audit service. Outside the audit's own topic pattern
     * ({@code connguard\.[a-z-]+}, no second dot), so the audit never stores its own checkpoints.
     */
    public static final String AUDIT_CHECKPOINTS = "connguard.audit.checkpoints";

    /** Records from {@link #PRESSURE} that a consumer could not read. */
    public static final String PRESSURE_DLQ = "connguard.pressure.dlq";

    /** Records from {@link #ACTIONS} that a consumer could not read. */
    public static final String ACTIONS_DLQ = "connguard.actions.dlq";

    private static final String DLQ_SUFFIX = ".dlq";

    private Topics() {}

    /** The topic an event type is published to. */
    public static String forType(EventType<?> type) {
        Objects.requireNonNull(type, "type");
        if (type.equals(EventType.PRESSURE_CHANGED)) {
            return PRESSURE;
        }
        if (type.equals(EventType.ACTION)) {
            return ACTIONS;
        }
        if (type.equals(EventType.CHAIN_CHECKPOINT)) {
            return AUDIT_CHECKPOINTS;
        }
        throw new IllegalArgumentException("no topic for event type " + type.type());
    }

    /** The dead-letter topic of {@code topic}: the same name with {@code .dlq} appended. */
    public static String deadLetterOf(String topic) {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("topic must not be blank");
        }
        return topic + DLQ_SUFFIX;
    }
}
