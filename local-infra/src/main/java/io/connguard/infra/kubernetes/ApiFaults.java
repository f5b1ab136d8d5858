package io.connguard.infra.kubernetes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Faults a test injects into the {@link KubernetesCrudServer}'s API, and the log of what the API answered. A fault is
 * an outage window: it opens when the first request matching its trigger arrives (that request is already answered
 * with the fault) and, for its duration, answers every request in its scope with its error statuses in turn instead
 * of serving it, so nothing a failed request asked for is stored. Thread-safe: the server's threads answer while the
 * test arms faults and reads the log.
 */
public final class ApiFaults {

    // every mitigator test of a JVM shares one server: keep the newest answers, enough for any one scenario
    private static final int LOG_LIMIT = 50_000;

    /** One request as the API saw it. */
    public record Request(String method, String path) {
        /** Whether the path (without query) starts with {@code prefix}. */
        public boolean under(String prefix) {
            return path.startsWith(prefix);
        }
    }

    /** One answer: when (System.nanoTime), to what, with which status, and whether a fault gave it. */
    public record Answer(long atNanos, Request request, int status, boolean injected) {}

    private final List<Window> windows = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedDeque<Answer> log = new ConcurrentLinkedDeque<>();
    private final AtomicInteger logged = new AtomicInteger();

    ApiFaults() {}

    /**
     * Arms an outage: from the first request matching {@code trigger}, every request in {@code scope} is answered with
     * {@code statuses} in turn (a 429 with {@code Retry-After: 1}, as the API server's priority and fairness sends it)
     * for {@code duration}.
     */
    public Window outage(Duration duration, Predicate<Request> trigger, Predicate<Request> scope, int... statuses) {
        if (statuses.length == 0) {
            throw new IllegalArgumentException("an outage needs at least one status");
        }
        Window window = new Window(duration, trigger, scope, statuses.clone());
        windows.add(window);
        return window;
    }

    /** Takes {@code window} out: it injects nothing more, whether or not it opened. */
    public void disarm(Window window) {
        windows.remove(window);
    }

    /** Every answer so far that satisfies {@code filter}, oldest first. */
    public List<Answer> answers(Predicate<Answer> filter) {
        List<Answer> matching = new ArrayList<>();
        for (Answer a : log) {
            if (filter.test(a)) {
                matching.add(a);
            }
        }
        return matching;
    }

    /** The injected status for {@code request}, if an open window covers it. */
    Optional<Integer> inject(Request request) {
        long now = System.nanoTime();
        for (Window w : windows) {
            Optional<Integer> status = w.answer(request, now);
            if (status.isPresent()) {
                return status;
            }
        }
        return Optional.empty();
    }

    void record(Request request, int status, boolean injected) {
        log.addLast(new Answer(System.nanoTime(), request, status, injected));
        if (logged.incrementAndGet() > LOG_LIMIT) {
            log.pollFirst();
            logged.decrementAndGet();
        }
    }

    /** One outage: armed, then open for its duration from its trigger, then over. */
    public static final class Window {
        private static final long NOT_OPENED = Long.MIN_VALUE;

        private final long durationNanos;
        private final Predicate<Request> trigger;
        private final Predicate<Request> scope;
        private final int[] statuses;
        private final AtomicLong openedAt = new AtomicLong(NOT_OPENED);
        private final AtomicInteger answered = new AtomicInteger();

        private Window(Duration duration, Predicate<Request> trigger, Predicate<Request> scope, int[] statuses) {
            this.durationNanos = duration.toNanos();
            this.trigger = trigger;
            this.scope = scope;
            this.statuses = statuses;
        }

        private Optional<Integer> answer(Request request, long now) {
            if (openedAt.get() == NOT_OPENED && trigger.test(request)) {
                openedAt.compareAndSet(NOT_OPENED, now);
            }
            long opened = openedAt.get();
            if (opened == NOT_OPENED || now - opened >= durationNanos || !scope.test(request)) {
                return Optional.empty();
            }
            return Optional.of(statuses[answered.getAndIncrement() % statuses.length]);
        }

        /** Whether the trigger arrived. */
        public boolean opened() {
            return openedAt.get() != NOT_OPENED;
        }

        /** Whether it opened and its duration has passed. */
        public boolean over() {
            return opened() && System.nanoTime() - openedAt.get() >= durationNanos;
        }

        /** When it opened (System.nanoTime), or empty before its trigger. */
        public Optional<Long> openedAtNanos() {
            long opened = openedAt.get();
            return opened == NOT_OPENED ? Optional.empty() : Optional.of(opened);
        }

        /** When it closes (System.nanoTime), or empty before its trigger. */
        public Optional<Long> closesAtNanos() {
            return openedAtNanos().map(opened -> opened + durationNanos);
        }

        /** How many requests it answered with a fault. */
        public int answered() {
            return answered.get();
        }
    }
}
