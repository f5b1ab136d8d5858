package io.connguard.audit.ingest;

import io.connguard.audit.config.AuditConfig;
import io.connguard.audit.store.EventWriter;
import io.connguard.audit.store.WriteResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Stores every record of every {@code connguard.*} topic, one poll at a time.
 *
 * <p>Delivery: a batch is acknowledged only after its transaction committed, so the offsets SmallRye commits
 * (throttled strategy) never pass a record that is not durable. A crash or rebalance before that commit redelivers
 * records, which the store ignores (unique source + id). A database failure is retried with backoff until the batch is
 * stored; the batch is never skipped, and while it waits the consumer is paused by back-pressure and the readiness
 * check is DOWN. A record that is not a readable event is quarantined in the same transaction and ingest carries on.
 *
 * <p>Pipeline: batches are written by one writer thread, in the order they were polled, while the next batch is
 * decoded on the messaging worker thread; at most one batch is being written and one waits for it.
 */
@ApplicationScoped
public class EventIngest {

    private static final Logger LOG = Logger.getLogger(EventIngest.class);

    private final EventWriter writer;
    private final AuditConfig config;
    private final Counter stored;
    private final Counter duplicates;
    private final Counter quarantined;
    private final Counter retries;
    private final DistributionSummary batchSize;
    private final Timer writeTime;
    // the reason the last write failed while a batch is being retried; read by the readiness check
    private final AtomicReference<String> failing = new AtomicReference<>();
    // the batch handed to the writer last until it is stored; read by the readiness check, which sees a writer that
    // hangs without an error (a lock, a dead socket) only through its age
    private final AtomicReference<Pending> pending = new AtomicReference<>();
    // one thread writes the batches, in poll order, while the messaging worker decodes the next one
    private final ExecutorService writerThread = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "audit-ingest-writer");
        thread.setDaemon(true);
        return thread;
    });
    // the batch handed to the writer last: ingest calls are sequential (ordered @Blocking) but may run on different
    // worker threads, hence volatile
    private volatile CompletableFuture<?> writing = CompletableFuture.completedFuture(null);

    EventIngest(EventWriter writer, AuditConfig config, MeterRegistry registry) {
        this.writer = writer;
        this.config = config;
        this.stored = Counter.builder("connguard.audit.events.stored")
                .description("events stored")
                .register(registry);
        this.duplicates = Counter.builder("connguard.audit.events.duplicates")
                .description("events received again and not stored a second time")
                .register(registry);
        this.quarantined = Counter.builder("connguard.audit.records.quarantined")
                .description("records kept in the quarantine table because they are not storable events")
                .register(registry);
        this.retries = Counter.builder("connguard.audit.ingest.retries")
                .description("batch writes retried after a database failure")
                .register(registry);
        this.batchSize = DistributionSummary.builder("connguard.audit.ingest.batch.size")
                .description("records per batch")
                .register(registry);
        this.writeTime = Timer.builder("connguard.audit.ingest.write")
                .description("time to store one batch")
                .register(registry);
    }

    /**
     * Decodes the poll, waits until the previous batch is written, hands this one to the writer and returns: the batch
     * is acknowledged by the writer once it is durable (or nacked, which stops the channel, if a bug escapes).
     */
    @Incoming("events")
    @Blocking
    public CompletionStage<Void> ingest(Message<ConsumerRecords<String, byte[]>> message) {
        long received = System.nanoTime();
        // decoded while the writer stores the previous batch
        Batch batch = Batch.decode(message.getPayload());
        // meanwhile the previous batch is pending, and it is the older one
        awaitPreviousBatch();
        if (batch.isEmpty()) {
            return message.ack();
        }
        Pending mine = new Pending(batch.size(), received);
        pending.set(mine);
        CompletableFuture<WriteResult> write;
        try {
            write = CompletableFuture.supplyAsync(() -> store(batch), writerThread);
        } catch (RejectedExecutionException e) {
            pending.compareAndSet(mine, null);
            // shutting down (stopWriter): this batch is not acknowledged, so its records are read again after the
            // restart; not a failure of the application
            LOG.debugf("not writing a batch of %d records: the writer has stopped", batch.size());
            return CompletableFuture.completedFuture(null);
        }
        writing = write.whenComplete((result, failure) -> {
            // before the next batch is handed over: awaitPreviousBatch waits for this stage
            pending.compareAndSet(mine, null);
            if (failure == null) {
                message.ack();
            } else {
                message.nack(unwrap(failure));
            }
        });
        return CompletableFuture.completedFuture(null);
    }

    // the write of the previous batch; a failure there has nacked it and stopped the channel, so this one is not
    // written
    private void awaitPreviousBatch() {
        try {
            writing.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            // shutting down: this batch is not acknowledged, so its records are read again after the restart
            throw new IllegalStateException("interrupted while the previous batch was being written", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the previous batch could not be stored", e.getCause());
        }
    }

    private WriteResult store(Batch batch) {
        batchSize.record(batch.size());
        WriteResult result = writeTime.record(() -> storeUntilDurable(batch));
        stored.increment(result.stored());
        duplicates.increment(result.duplicates());
        quarantined.increment(result.quarantined());
        for (Quarantined q : batch.quarantined()) {
            LOG.warnf("quarantined %s: %s", q.record().position(), q.reason());
        }
        return result;
    }

    // lets the batch being written finish (its acknowledgement commits its offsets); a batch that waits for it is then
    // refused by the stopped writer and left unacknowledged (see ingest): records not acknowledged by then are read
    // again after the restart
    @PreDestroy
    void stopWriter() throws InterruptedException {
        writerThread.shutdown();
        if (!writerThread.awaitTermination(10, TimeUnit.SECONDS)) {
            writerThread.shutdownNow();
        }
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    /** Why ingest is stuck, while a batch cannot be stored. */
    public Optional<String> failure() {
        return Optional.ofNullable(failing.get());
    }

    /** The oldest batch received and not yet stored (being written or waiting for the writer), if any. */
    public Optional<Waiting> waiting() {
        return Optional.ofNullable(pending.get())
                .map(p -> new Waiting(p.records(), Duration.ofNanos(System.nanoTime() - p.receivedNanos())));
    }

    /** A batch of {@code records} that has waited {@code waited} since it was received to be stored. */
    public record Waiting(int records, Duration waited) {}

    // receivedNanos: System.nanoTime(), so that a wall clock step does not make a batch look stuck
    private record Pending(int records, long receivedNanos) {}

    private WriteResult storeUntilDurable(Batch batch) {
        Duration backoff = config.ingest().retryInitialBackoff();
        while (true) {
            try {
                WriteResult result = writer.write(batch);
                failing.set(null);
                return result;
            } catch (SQLException e) {
                retries.increment();
                failing.set("cannot store a batch (SQLState " + e.getSQLState() + "): " + e.getMessage());
                LOG.warnf("cannot store a batch of %d records (%s); retrying in %s", batch.size(), e, backoff);
                sleep(backoff);
                backoff = min(backoff.multipliedBy(2), config.ingest().retryMaxBackoff());
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            // shutting down: the batch is not acknowledged, so its records are read again after the restart
            throw new IllegalStateException("interrupted while waiting to retry a batch", e);
        }
    }
}
