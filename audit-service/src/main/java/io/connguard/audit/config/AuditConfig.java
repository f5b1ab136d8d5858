package io.connguard.audit.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;

/** Configuration of the audit service, under {@code connguard.audit}. */
@ConfigMapping(prefix = "connguard.audit")
public interface AuditConfig {

    /** Writing consumed records to the database. */
    Ingest ingest();

    /** Publishing the heads of the hash chains to connguard.audit.checkpoints, outside the database. */
    Checkpoint checkpoint();

    interface Checkpoint {

        /**
         * How often the heads of the chains that gained rows are published. Rows stored since the last checkpoint are
         * not anchored yet: deleting them is seen only once a checkpoint covers them.
         */
        @WithDefault("1m")
        Duration interval();

        /** How long reading the published checkpoints back, or waiting for Kafka to take a new one, may take. */
        @WithDefault("10s")
        Duration kafkaTimeout();

        /** CloudEvents source of the checkpoints (opaque to readers). */
        @WithDefault("urn:connguard:audit-service")
        URI source();
    }

    interface Ingest {

        /** First wait before a batch the database could not take (connection lost, deadlock, ...) is retried. */
        @WithDefault("200ms")
        Duration retryInitialBackoff();

        /** Longest wait between two retries; ingest retries until the database takes the batch, and never skips it. */
        @WithDefault("10s")
        Duration retryMaxBackoff();

        /**
         * How long a batch may wait to be stored (being written, or waiting for the batch before it) before the
         * readiness check reports ingest DOWN: a writer hung without an error (a lock, a dead socket) shows nowhere else.
         */
        @WithDefault("2m")
        Duration stuckAfter();
    }
}
