package io.connguard.events;

/**
 * A Kafka record does not satisfy the event contract. The message states exactly what is wrong (for
 * example {@code missing header ce_type}) and is meant to be used verbatim as the
 * {@value KafkaCloudEvents#DEAD_LETTER_REASON} header when the record is dead-lettered. Retrying the same
 * record cannot succeed.
 */
public class MalformedEventException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public MalformedEventException(String message) {
        super(message);
    }

    public MalformedEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
