package io.connguard.events;

import java.util.List;

/**
 * A backend waiting on a lock, with the backends that block it ({@code pg_blocking_pids()}).
 *
 * @param pid the waiting backend
 * @param blockedBy pids holding or queued ahead for the lock; never null
 * @param waitingMs time since the waiting query started; absent when unknown
 */
public record BlockedSession(int pid, List<Integer> blockedBy, Long waitingMs) {

    public BlockedSession {
        blockedBy = blockedBy == null ? List.of() : List.copyOf(blockedBy);
    }
}
