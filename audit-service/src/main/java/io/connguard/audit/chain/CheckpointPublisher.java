package io.connguard.audit.chain;

import io.connguard.audit.chain.ChainVerification.Anchor;
import io.connguard.audit.chain.ChainVerification.Mismatch;
import io.connguard.audit.chain.CheckpointLog.CheckpointsUnreadableException;
import io.connguard.audit.config.AuditConfig;
import io.connguard.events.ChainCheckpoint;
import io.connguard.events.CloudEvent;
import io.connguard.events.EventType;
import io.connguard.events.KafkaCloudEvents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Every {@code connguard.audit.checkpoint.interval}, publishes the head of each chain that gained rows as an
 * {@code io.connguard.audit.checkpoint.v1} event to {@code connguard.audit.checkpoints} (keyed by subject, acks=all),
 * waiting for Kafka's acknowledgement.
 *
 * <p>A checkpoint only ever extends the last one: when the stored chain no longer holds the latest published checkpoint
 * (rows deleted from its end, or rewritten), no new checkpoint is published for that subject, so the anchor that
 * shows the damage stays the latest; this is counted in {@code connguard.audit.checkpoints.refused} and logged at ERROR.
 * A database or Kafka failure skips the round; the next one publishes what is still due.
 *
 * <p>State: the highest {@code seq} already covered, written only by the scheduled method (never two at once,
 * {@code SKIP}) and volatile because successive runs may use different threads. After a restart it starts at 0: the
 * first round compares every chain with its checkpoint.
 */
@Startup
@ApplicationScoped
public class CheckpointPublisher {

    private static final Logger LOG = Logger.getLogger(CheckpointPublisher.class);

    private final ChainHeads heads;
    private final CheckpointLog log;
    private final MutinyEmitter<byte[]> emitter;
    private final AuditConfig config;
    private final Clock clock = Clock.systemUTC();
    private final Counter published;
    private final Counter refused;
    private final Counter failures;
    private volatile long coveredSeq;

    CheckpointPublisher(
            ChainHeads heads,
            CheckpointLog log,
            @Channel("checkpoints") MutinyEmitter<byte[]> emitter,
            AuditConfig config,
            MeterRegistry registry) {
        this.heads = heads;
        this.log = log;
        this.emitter = emitter;
        this.config = config;
        this.published = Counter.builder("connguard.audit.checkpoints.published")
                .description("chain heads published to connguard.audit.checkpoints")
                .register(registry);
        this.refused = Counter.builder("connguard.audit.checkpoints.refused")
                .description("chain heads not published because the stored chain no longer holds the latest checkpoint")
                .register(registry);
        this.failures = Counter.builder("connguard.audit.checkpoints.failures")
                .description("checkpoint rounds skipped because the database or Kafka failed")
                .register(registry);
    }

    @Scheduled(
            identity = "audit-checkpoints",
            every = "${connguard.audit.checkpoint.interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void publishChangedHeads() {
        try {
            publishSince(coveredSeq);
        } catch (SQLException | CheckpointsUnreadableException | RuntimeException e) {
            failures.increment();
            LOG.warnf("no checkpoint published this round, retried at the next: %s", e.toString());
        }
    }

    private void publishSince(long seq) throws SQLException, CheckpointsUnreadableException {
        if (heads.changedSince(seq).heads().isEmpty()) {
            return;
        }
        Map<String, CloudEvent<ChainCheckpoint>> latest = log.latest();
        // the heads again, read after the checkpoints: rows are only ever added, so an intact chain now reaches at
        // least every checkpoint read (another replica's included), and a head below one is a truncated chain
        ChainHeads.Changes changes = heads.changedSince(seq);
        for (ChainCheckpoint head : changes.heads()) {
            if (extendsLatest(head, latest.get(head.targetId()))) {
                publish(head);
            }
        }
        coveredSeq = changes.maxSeq();
    }

    // whether the head is new and the chain still holds the latest checkpoint
    private boolean extendsLatest(ChainCheckpoint head, CloudEvent<ChainCheckpoint> latest) throws SQLException {
        if (latest == null) {
            return true;
        }
        Anchor anchor = Anchor.of(latest);
        Optional<Mismatch> broken = CheckpointCheck.against(
                anchor,
                head.chainPosition(),
                heads.hashAt(head.targetId(), anchor.chainPosition()).orElse(null));
        if (broken.isPresent()) {
            refused.increment();
            LOG.errorf(
                    "not checkpointing the chain of %s: it no longer holds its latest checkpoint, %s",
                    head.targetId(), broken.get().reason());
            return false;
        }
        return head.chainPosition() > anchor.chainPosition();
    }

    private void publish(ChainCheckpoint head) {
        CloudEvent<ChainCheckpoint> event = new CloudEvent<>(
                // the same head gets the same id, whichever instance publishes it
                head.targetId() + "@" + head.chainPosition() + ":" + head.chainHash(),
                config.checkpoint().source(),
                EventType.CHAIN_CHECKPOINT.type(),
                head.targetId(),
                Instant.now(clock),
                head);
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(event.subject())
                .withHeaders(KafkaCloudEvents.headers(event))
                .build();
        emitter.sendMessage(Message.of(KafkaCloudEvents.data(event)).addMetadata(metadata))
                .await()
                .atMost(config.checkpoint().kafkaTimeout());
        published.increment();
        LOG.debugf("checkpoint of %s at position %d published", head.targetId(), head.chainPosition());
    }
}
