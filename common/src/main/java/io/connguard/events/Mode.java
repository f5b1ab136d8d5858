package io.connguard.events;

/**
 * Whether the mitigator changed anything. The set is closed for {@code io.connguard.action.v1}.
 */
public enum Mode {
    /** The action was (or will be) executed against the real system. */
    ENFORCE,
    /** The action was only planned and recorded; nothing was changed. */
    DRY_RUN
}
