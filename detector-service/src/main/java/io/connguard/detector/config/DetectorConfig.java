package io.connguard.detector.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Detector configuration, validated at start-up: an invalid value stops the service naming its key. */
@ConfigMapping(prefix = "connguard.detector")
public interface DetectorConfig {

    /** CloudEvents {@code source} of every event this detector publishes. */
    @WithDefault("urn:connguard:detector")
    URI source();

    /** Monitored PostgreSQL targets by target id; the id is the events' subject and Kafka key. */
    @Size(min = 1, message = "no target configured: set connguard.detector.targets.<id>.host and .user")
    Map<String, @Valid Target> targets();

    /** How often to publish an update while a target is not OK or its incident is open, so consumers can watch progress. */
    @WithDefault("5s")
    Duration periodicUpdate();

    /** How often to publish while a target is OK with no incident open, so consumers know the detector is alive. */
    @WithDefault("30s")
    Duration heartbeat();

    /** How an incident left open by a previous run is found on the topic at start-up. */
    Restore restore();

    /** What each sample collects and how the probe connection behaves. */
    Probe probe();

    /** Publishing of pressure events. */
    Publish publish();

    /** Sample contents and the probe connection's behaviour, shared by all targets. */
    interface Probe {
        /** How many client groups (application, role, address) a sample lists, largest first. */
        @WithDefault("5")
        @Min(0)
        @Max(100)
        int topClients();

        /** How many sessions the longest-queries and oldest-transactions lists hold each. */
        @WithDefault("5")
        @Min(0)
        @Max(100)
        int topSessions();

        /** Redacted query text is cut to this many characters. */
        @WithDefault("300")
        @Min(16)
        int maxQueryLength();

        /** statement_timeout of the probe's own session, so a stuck catalog read cannot hang the detector. */
        @WithDefault("2s")
        Duration statementTimeout();

        /** lock_timeout of the probe's own session. */
        @WithDefault("500ms")
        Duration lockTimeout();

        /** Wait before the first reconnection attempt after a failure; doubles on each further failure. */
        @WithDefault("500ms")
        Duration reconnectInitialBackoff();

        /** Upper bound of the reconnection backoff. */
        @WithDefault("10s")
        Duration reconnectMaxBackoff();
    }

    /** Reading the last event of each target back from the pressure topic at start-up. */
    interface Restore {
        /** Only events published within this window before start-up count: an older incident is not continued. */
        @WithDefault("1h")
        Duration lookback();

        /** Longest wait for Kafka at start-up; past it sampling starts without restored incidents (logged). */
        @WithDefault("5s")
        Duration timeout();
    }

    /** How pressure events reach Kafka. */
    interface Publish {
        /**
         * Events sent but not yet acknowledged that the detector keeps (and the producer retries) while Kafka is
         * unreachable; beyond this an event is dropped, counted in connguard.events.dropped and logged.
         */
        @WithDefault("1000")
        @Min(1)
        int maxPending();
    }

    /** One monitored PostgreSQL server. */
    interface Target {
        /** Host name or address of the server (or of the primary). */
        @NotBlank
        String host();

        /** Port the server listens on. */
        @WithDefault("5432")
        int port();

        /** Database the probe connects to; pg_stat_activity covers all databases of the server. */
        @WithDefault("postgres")
        String database();

        /** Role of the probe connection: pg_monitor, with a reserved connection slot (see README). */
        @NotBlank
        String user();

        /** Password, usually from an environment variable; prefer {@link #passwordFile()} for secrets. */
        Optional<String> password();

        /** File holding the password (a mounted Secret); wins over {@link #password()}. */
        Optional<Path> passwordFile();

        /** Time between two samples of this target. */
        @WithDefault("1s")
        Duration sampleInterval();

        /** Replaces max_connections as the capacity when the real limit sits elsewhere (e.g. a managed proxy). */
        Optional<Integer> capacityOverride();

        /** Level thresholds for this target. */
        Thresholds thresholds();

        /** The PgBouncer in front of this server, sampled through its admin console; absent when there is none. */
        Optional<PgBouncer> pgbouncer();
    }

    /** Admin console of a PgBouncer ({@code SHOW POOLS}); its user must be in admin_users or stats_users. */
    interface PgBouncer {
        /** Host of the PgBouncer. */
        @NotBlank
        String host();

        /** Port of the PgBouncer. */
        @WithDefault("6432")
        int port();

        /** A user listed in PgBouncer's admin_users or stats_users. */
        @NotBlank
        String user();

        /** Password of that user. */
        Optional<String> password();

        /** File holding the password (a mounted Secret); wins over {@link #password()}. */
        Optional<Path> passwordFile();

        /** Only pools of this database count; all pools (except the admin console's) when absent. */
        Optional<String> database();
    }

    /** Usage ratios (connections / usable capacity) that move a target between levels. */
    interface Thresholds {
        /** At or above this ratio the target is ELEVATED (the runbook alerts at 80 %). */
        @WithDefault("0.80")
        @DecimalMin("0.0")
        @DecimalMax("1.0")
        double elevated();

        /** At or above this ratio the target is CRITICAL. */
        @WithDefault("0.95")
        @DecimalMin("0.0")
        @DecimalMax("1.0")
        double critical();

        /** A raised level clears only below this ratio (hysteresis), so a target hovering at the threshold does not flap. */
        @WithDefault("0.70")
        @DecimalMin("0.0")
        @DecimalMax("1.0")
        double clear();

        /** How long a lower level must hold before the target steps down. */
        @WithDefault("5s")
        Duration holdDown();

        /** How long a target must stay OK before its incident resolves. */
        @WithDefault("30s")
        Duration resolveAfter();

        /** Pooler clients queued longer than this make the target CRITICAL (reason pooler_waiting). */
        @WithDefault("2s")
        Duration poolerMaxWait();
    }
}
