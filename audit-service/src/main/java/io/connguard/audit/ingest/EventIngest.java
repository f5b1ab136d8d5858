package io.connguard.audit.ingest;

import io.connguard.audit.config.AuditConfig;
import io.connguard.audit.store.EventWriter;
import io.connguard.audit.store.WriteResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Stores every record of every {@code connguard.*} topic, one poll at a time.
 *
 * <p>Delivery: the method returns only after the batch's transaction committed, and only then is the batch
 * acknowledged, so the offsets SmallRye commits (throttled strategy) never pass a record that is not durable. A crash
 * or rebalance before that commit redelivers records, which the store ignores (unique source + id). A database failure
 * is retried with backoff until the batch is stored; the batch is never skipped, and while it waits the consumer is
 * paused by back-pressure and the readiness check is DOWN. A record that is not a readable event is quarantined in the
 * same transaction and ingest carries on.
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

    @Incoming("events")
    @Blocking
    public void ingest(ConsumerRecords<String, byte[]> records) {
        Batch batch = Batch.decode(records);
        if (batch.isEmpty()) {
            return;
        }
        batchSize.record(batch.size());
        WriteResult result = writeTime.record(() -> storeUntilDurable(batch));
        stored.increment(result.stored());
        duplicates.increment(result.duplicates());
        quarantined.increment(result.quarantined());
        for (Quarantined q : batch.quarantined()) {
            LOG.warnf("quarantined %s: %s", q.record().position(), q.reason());
        }
    }

    /** Why ingest is stuck, while a batch cannot be stored. */
    public Optional<String> failure() {
        return Optional.ofNullable(failing.get());
    }

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
