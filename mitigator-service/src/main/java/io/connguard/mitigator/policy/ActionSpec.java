package io.connguard.mitigator.policy;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What a ladder step does, by {@code kind}. Each kind maps to one adapter. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ActionSpec.PauseIngestion.class, name = ActionSpec.PAUSE_INGESTION),
    @JsonSubTypes.Type(value = ActionSpec.ScaleWorkload.class, name = ActionSpec.SCALE_WORKLOAD),
    @JsonSubTypes.Type(value = ActionSpec.CancelQueries.class, name = ActionSpec.CANCEL_QUERIES),
    @JsonSubTypes.Type(value = ActionSpec.TerminateIdleInTransaction.class, name = ActionSpec.TERMINATE_IDLE),
    @JsonSubTypes.Type(value = ActionSpec.ShrinkPool.class, name = ActionSpec.SHRINK_POOL)
})
public sealed interface ActionSpec {

    String PAUSE_INGESTION = "pause-ingestion";
    String SCALE_WORKLOAD = "scale-workload";
    String CANCEL_QUERIES = "cancel-queries";
    String TERMINATE_IDLE = "terminate-idle-in-transaction";
    String SHRINK_POOL = "shrink-pool";

    /** The policy's name for this kind. */
    String kind();

    /** The contract's action name of running it (a session step: of each backend it signals). */
    default String appliedName() {
        return kind();
    }

    /** The contract's action name of undoing it in recovery; null for a step that cannot be undone. */
    default String restoredName() {
        return null;
    }

    /** Every action name its action events can carry: running it, undoing it, and any follow-up signal. */
    default List<String> actionNames() {
        List<String> names = new ArrayList<>(List.of(appliedName()));
        if (restoredName() != null) {
            names.add(restoredName());
        }
        if (this instanceof CancelQueries cancel && cancel.terminate()) {
            names.add(CancelQueries.TERMINATE_BACKEND);
        }
        return List.copyOf(names);
    }

    /** Whether recovery has to undo it (sessions signalled cannot be undone). */
    default boolean reversible() {
        return false;
    }

    /**
     * Whether it signals database sessions: it uses up the per-minute session budget, and it runs again when the
     * ladder has run out while pressure holds (sessions that were too young may have aged past its bound since).
     */
    default boolean signalsSessions() {
        return this instanceof CancelQueries || this instanceof TerminateIdleInTransaction;
    }

    /** Pause ingestion by flipping a feature flag; recovery resumes it. */
    record PauseIngestion(Flag flag) implements ActionSpec {
        @Override
        public String kind() {
            return PAUSE_INGESTION;
        }

        @Override
        public String restoredName() {
            return "resume-ingestion";
        }

        @Override
        public boolean reversible() {
            return true;
        }
    }

    /** A flag lives either in a ConfigMap key or behind an HTTP webhook; exactly one is set. */
    record Flag(ConfigMapFlag configMap, WebhookFlag webhook) {}

    /** A key of a ConfigMap, changed by JSON merge patch. */
    record ConfigMapFlag(String namespace, String name, String key, String pausedValue, String resumedValue) {}

    /** A generic HTTP flag service call (e.g. flagd, Unleash admin API). */
    record WebhookFlag(String method, String url, Map<String, String> headers, String pauseBody, String resumeBody) {
        public WebhookFlag {
            method = method == null ? "POST" : method;
            headers = headers == null ? Map.of() : Map.copyOf(headers);
        }
    }

    /** A Deployment or StatefulSet. */
    record Workload(String kind, String namespace, String name) {
        @Override
        public String toString() {
            return kind + " " + namespace + "/" + name;
        }
    }

    /**
     * Scale a workload to {@code replicas}, or to {@code fraction} of its original count (exactly one is set).
     * {@code poolEnv} names the env var holding each replica's connection pool size (optional): recovery never
     * predicts fewer connections per replica than it, which matters when the scale-down was decided on a saturated
     * server whose samples undercount (or, refusing connections, do not count) what the workers want.
     */
    record ScaleWorkload(Workload workload, Integer replicas, Double fraction, String poolEnv) implements ActionSpec {

        public ScaleWorkload(Workload workload, Integer replicas, Double fraction) {
            this(workload, replicas, fraction, null);
        }

        @Override
        public String kind() {
            return SCALE_WORKLOAD;
        }

        @Override
        public String restoredName() {
            return "restore-workload";
        }

        @Override
        public boolean reversible() {
            return true;
        }
    }

    /** Which sessions a signal may reach, on top of the protections that always hold. Empty lists match all. */
    record SessionFilter(List<String> users, List<String> applications, List<String> databases) {
        public SessionFilter {
            users = users == null ? List.of() : List.copyOf(users);
            applications = applications == null ? List.of() : List.copyOf(applications);
            databases = databases == null ? List.of() : List.copyOf(databases);
        }
    }

    /**
     * {@code pg_cancel_backend} on queries running longer than {@code minDuration} in one of {@code states}; when
     * {@code terminate} is on, {@code pg_terminate_backend} on those still running {@code terminateAfter} later.
     */
    record CancelQueries(
            Duration minDuration,
            List<String> states,
            Boolean terminate,
            Duration terminateAfter,
            Boolean allowSuperusers,
            SessionFilter filter)
            implements ActionSpec {
        public CancelQueries {
            minDuration = minDuration == null ? Duration.ofSeconds(30) : minDuration;
            states = states == null ? List.of("active") : List.copyOf(states);
            terminate = terminate != null && terminate;
            terminateAfter = terminateAfter == null ? Duration.ofSeconds(10) : terminateAfter;
            allowSuperusers = allowSuperusers != null && allowSuperusers;
            filter = filter == null ? new SessionFilter(null, null, null) : filter;
        }

        /** The action name of the terminate that follows the grace period ({@code terminate: true}). */
        public static final String TERMINATE_BACKEND = "terminate-backend";

        @Override
        public String kind() {
            return CANCEL_QUERIES;
        }

        @Override
        public String appliedName() {
            return "cancel-query";
        }
    }

    /** {@code pg_terminate_backend} on sessions idle in a transaction for longer than {@code olderThan}. */
    record TerminateIdleInTransaction(Duration olderThan, Boolean allowSuperusers, SessionFilter filter)
            implements ActionSpec {
        public TerminateIdleInTransaction {
            olderThan = olderThan == null ? Duration.ofSeconds(60) : olderThan;
            allowSuperusers = allowSuperusers != null && allowSuperusers;
            filter = filter == null ? new SessionFilter(null, null, null) : filter;
        }

        @Override
        public String kind() {
            return TERMINATE_IDLE;
        }
    }

    /** Set env var {@code env} of {@code container} (first container when absent) to {@code value}: a rolling restart. */
    record ShrinkPool(Workload workload, String container, String env, Integer value) implements ActionSpec {
        public ShrinkPool {
            env = env == null ? "PG_POOL_MAX" : env;
        }

        @Override
        public String kind() {
            return SHRINK_POOL;
        }

        @Override
        public String restoredName() {
            return "restore-pool";
        }

        @Override
        public boolean reversible() {
            return true;
        }
    }
}
