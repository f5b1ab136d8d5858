package io.connguard.mitigator.run;

import io.connguard.events.ActionEvent;
import io.connguard.events.CloudEvent;
import io.connguard.events.PressureChanged;
import io.connguard.mitigator.action.ActionAdapter;
import io.connguard.mitigator.action.http.SlackNotifier;
import io.connguard.mitigator.action.kubernetes.KubernetesStateStore;
import io.connguard.mitigator.action.postgres.PostgresSampler;
import io.connguard.mitigator.config.MitigatorConfig;
import io.connguard.mitigator.config.Policies;
import io.connguard.mitigator.guard.KillSwitch;
import io.connguard.mitigator.metrics.MitigatorMeters;
import io.connguard.mitigator.policy.MitigationEngine;
import io.connguard.mitigator.publish.ActionPublisher;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * One actor per target, each with its own single worker thread: a target's inputs (pressure events, ticks) are
 * handled strictly one after the other and never on the event loop, while targets proceed in parallel. The map of
 * actors is the only mutable state here; it is concurrent because the consumer and the scheduler both reach it.
 */
@ApplicationScoped
public class TargetActors {

    private static final Logger LOG = Logger.getLogger(TargetActors.class);

    private final Policies policies;
    private final Set<String> configured;
    private final PostgresSampler sampler;
    private final KubernetesStateStore store;
    private final List<ActionAdapter> adapters;
    private final ActionPublisher publisher;
    private final KillSwitch killSwitch;
    private final SlackNotifier notifier;
    private final MitigatorMeters meters;
    private final Clock clock;
    private final Map<String, Entry> actors = new ConcurrentHashMap<>();
    private final AtomicBoolean resumed = new AtomicBoolean();

    TargetActors(
            Policies policies,
            MitigatorConfig config,
            PostgresSampler sampler,
            KubernetesStateStore store,
            Instance<ActionAdapter> adapters,
            ActionPublisher publisher,
            KillSwitch killSwitch,
            SlackNotifier notifier,
            MitigatorMeters meters,
            Clock clock) {
        this.policies = policies;
        this.configured = Set.copyOf(config.targets().keySet());
        this.sampler = sampler;
        this.store = store;
        this.adapters = adapters.stream().toList();
        this.publisher = publisher;
        this.killSwitch = killSwitch;
        this.notifier = notifier;
        this.meters = meters;
        this.clock = clock;
    }

    private record Entry(TargetActor actor, ExecutorService thread, AtomicBoolean tickQueued) {}

    /** Completes once every action event the pressure event caused was acknowledged by the broker. */
    public Uni<Void> onPressure(CloudEvent<PressureChanged> event) {
        String target = event.data().targetId();
        Entry entry = entry(target);
        CompletableFuture<List<CompletableFuture<?>>> handled = CompletableFuture.supplyAsync(
                () -> {
                    List<CompletableFuture<?>> acks = new ArrayList<>();
                    var guard = guard(target);
                    entry.actor().onPressure(event.id(), event.data(), guard, e -> acks.add(send(target, e)));
                    return acks;
                },
                entry.thread());
        return Uni.createFrom()
                .completionStage(
                        handled.thenCompose(acks -> CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))))
                .replaceWithVoid();
    }

    /**
     * An operator's restore of {@code target}: completes with the action events it caused, once the broker has
     * acknowledged them; empty when the target is unknown.
     */
    public Optional<CompletableFuture<List<ActionEvent>>> restore(String target) {
        return operator(target, (actor, emit) -> actor.onRestoreRequested(guard(target), emit));
    }

    /** An operator's resume of {@code target}, like {@link #restore}. */
    public Optional<CompletableFuture<List<ActionEvent>>> resume(String target) {
        return operator(target, TargetActor::onResumeRequested);
    }

    private Optional<CompletableFuture<List<ActionEvent>>> operator(
            String target, BiConsumer<TargetActor, Consumer<ActionEvent>> command) {
        if (!knows(target)) {
            return Optional.empty();
        }
        Entry entry = entry(target);
        return Optional.of(CompletableFuture.supplyAsync(
                        () -> {
                            List<ActionEvent> events = new ArrayList<>();
                            List<CompletableFuture<?>> acks = new ArrayList<>();
                            command.accept(entry.actor(), e -> {
                                events.add(e);
                                acks.add(send(target, e));
                            });
                            return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                                    .thenApply(done -> events);
                        },
                        entry.thread())
                .thenCompose(events -> events));
    }

    /** A configured target, or one this mitigator has an actor or a stored state for. */
    private boolean knows(String target) {
        return configured.contains(target)
                || actors.containsKey(target)
                || store.storedTargets().contains(target);
    }

    private MitigationEngine.Guard guard(String target) {
        return new MitigationEngine.Guard(killSwitch.engaged(), () -> sampler.read(target));
    }

    /** Lets soak and verification windows end although no event arrives (the detector only heartbeats while OK). */
    @Scheduled(
            every = "${connguard.mitigator.tick:1s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            delayed = "1s")
    void tick() {
        if (resumed.compareAndSet(false, true)) {
            resumeStoredTargets();
        }
        actors.forEach((target, entry) -> {
            if (entry.actor().active() && entry.tickQueued().compareAndSet(false, true)) {
                entry.thread().execute(() -> {
                    entry.tickQueued().set(false);
                    try {
                        entry.actor().onTick(guard(target), e -> send(target, e));
                    } catch (RuntimeException e) {
                        LOG.errorf(e, "%s: tick failed", target);
                    }
                });
            }
        });
    }

    // a restarted mitigator finds the targets it was working on and carries on restoring them
    private void resumeStoredTargets() {
        try {
            store.storedTargets().forEach(this::entry);
        } catch (RuntimeException e) {
            resumed.set(false);
            LOG.warnf("cannot list stored target states yet: %s", e.getMessage());
        }
    }

    private Entry entry(String target) {
        return actors.computeIfAbsent(
                target,
                t -> new Entry(
                        new TargetActor(
                                t,
                                new MitigationEngine(policies.forTarget(t), clock),
                                store,
                                adapters,
                                notifier,
                                clock),
                        Executors.newSingleThreadExecutor(r -> new Thread(r, "connguard-target-" + t)),
                        new AtomicBoolean()));
    }

    private CompletableFuture<?> send(String target, ActionEvent event) {
        meters.published(target, event);
        return publisher.publish(event).subscribeAsCompletionStage();
    }

    @PreDestroy
    void stop() {
        actors.values().forEach(e -> e.thread().shutdown());
    }
}
