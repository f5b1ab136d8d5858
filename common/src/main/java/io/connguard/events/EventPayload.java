package io.connguard.events;

/**
 * The {@code data} of a connguard event. Every payload names the target it is about, and that id is also
 * the event subject and the Kafka record key.
 */
public sealed interface EventPayload permits PressureChanged, ActionEvent, ChainCheckpoint {

    /** Id of the monitored database target (as configured in connguard); never blank. */
    String targetId();
}
