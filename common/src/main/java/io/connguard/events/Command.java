package io.connguard.events;

/**
 * The exact command an action ran, or would have run in dry-run mode, so the audit trail can be
 * replayed by a human.
 *
 * @param system where it runs: {@code postgres}, {@code kubernetes}, {@code http} or {@code none}; an open
 *     set, new systems may appear
 * @param text the command verbatim, e.g. {@code SELECT pg_cancel_backend(4242)} or {@code PATCH apps/v1
 *     deployments/etl-worker scale {"spec":{"replicas":2}}}; may be empty for {@code none}
 * @param target the object acted on (pid, {@code namespace/deployment}, flag key); absent when none
 */
public record Command(String system, String text, String target) {

    public Command {
        if (system == null || system.isBlank()) {
            throw new IllegalArgumentException("command.system must not be blank");
        }
        if (text == null) {
            throw new IllegalArgumentException("command.text must not be null");
        }
    }

    /** The command of a decision that runs nothing. */
    public static Command none() {
        return new Command("none", "", null);
    }
}
