package io.connguard.mitigator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The mitigator's configuration; see DESIGN.md for the policy file format. */
@ConfigMapping(prefix = "connguard.mitigator")
public interface MitigatorConfig {

    /** Policy YAML for all targets; the built-in runbook policy when absent. */
    Optional<String> policyFile();

    /** When true, automation stays off whatever the REST kill switch says. */
    @WithDefault("false")
    boolean killSwitch();

    /** Namespace of the state and control ConfigMaps; the Kubernetes client's namespace when absent. */
    Optional<String> namespace();

    /** How often soak and verification windows are checked (the detector only heartbeats while OK). */
    @WithDefault("1s")
    Duration tick();

    /**
     * How often a missing persistent database connection is opened again (targets whose policy signals sessions; the
     * first attempt is at start-up).
     */
    @WithDefault("15s")
    Duration connectEvery();

    /** CloudEvent source of action events. */
    @WithDefault("urn:connguard:mitigator")
    String source();

    /**
     * CloudEvent sources whose pressure events are acted on (the detector's {@code connguard.detector.source});
     * events from any other source are dead-lettered.
     */
    @WithDefault("urn:connguard:detector")
    List<String> acceptedSources();

    /** The targets the mitigator acts for, by target id; pressure events for any other id are dead-lettered. */
    Map<String, Target> targets();

    /** One target database, reached over one persistent connection. */
    interface Target {

        /** Policy YAML for this target only; the service-wide policy when absent. */
        Optional<String> policyFile();

        /** Host of the database server. */
        @WithDefault("localhost")
        String host();

        /** Port of the database server. */
        @WithDefault("5432")
        int port();

        /** Database to connect to (pg_stat_activity shows every database of the cluster). */
        @WithDefault("postgres")
        String database();

        /** Role with pg_signal_backend and pg_read_all_stats. */
        @WithDefault("connguard_mitigator")
        String user();

        /** Password of that role. */
        Optional<String> password();

        /** File holding the password (a mounted Secret); wins over password. */
        @WithName("password-file")
        Optional<String> passwordFile();
    }
}
