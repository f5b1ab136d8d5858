package io.connguard.detector.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
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

    /** How often to publish an update while a target is not OK, so consumers can watch progress. */
    @WithDefault("5s")
    Duration periodicUpdate();

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
    }
}
