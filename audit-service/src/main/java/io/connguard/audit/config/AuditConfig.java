package io.connguard.audit.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Configuration of the audit service, under {@code connguard.audit}. */
@ConfigMapping(prefix = "connguard.audit")
public interface AuditConfig {

    /** Writing consumed records to the database. */
    Ingest ingest();

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
