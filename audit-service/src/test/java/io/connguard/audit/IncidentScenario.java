package io.connguard.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.connguard.events.ActionEvent;
import io.connguard.events.Capacity;
import io.connguard.events.ClientShare;
import io.connguard.events.CloudEvent;
import io.connguard.events.Command;
import io.connguard.events.Connections;
import io.connguard.events.EventType;
import io.connguard.events.KafkaCloudEvents;
import io.connguard.events.Level;
import io.connguard.events.Mode;
import io.connguard.events.Outcome;
import io.connguard.events.PressureChanged;
import io.connguard.events.Topics;
import io.connguard.infra.kafka.TopicWriter;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A recorded connection-exhaustion incident as the detector and the mitigator publish it: the target goes ELEVATED,
 * the mitigator notifies and pauses ingestion, the target goes CRITICAL, workers are scaled down and a long query is
 * cancelled, a terminate is skipped by a guardrail, the target steps down to OK, workers and ingestion are restored, and
 * the incident resolves after OK held for 30 s. {@code periodic} extra CRITICAL updates make it as long as needed.
 */
public final class IncidentScenario {

    static final URI DETECTOR = URI.create("urn:connguard:detector-service:test");
    static final URI MITIGATOR = URI.create("urn:connguard:mitigator-service:test");
    static final Capacity CAPACITY = Capacity.of(100, 3, 0); // 97 usable

    public final String target;
    public final String incidentId;
    public final Instant onset;
    /** Every event in time order. */
    public final List<CloudEvent<?>> events = new ArrayList<>();

    public CloudEvent<PressureChanged> elevated;
    public CloudEvent<PressureChanged> critical;
    public CloudEvent<PressureChanged> backToOk;
    public CloudEvent<PressureChanged> resolved;
    public CloudEvent<ActionEvent> scaleSucceeded;
    public CloudEvent<ActionEvent> firstAction;

    public IncidentScenario(String target, Instant onset, int periodic) {
        this.target = target;
        this.incidentId = "inc-" + target + "-" + UUID.randomUUID().toString().substring(0, 8);
        this.onset = onset;
        elevated = pressure(0, Level.ELEVATED, Level.OK, "ratio_above_elevated", 80, clients(50, 22, 8));
        firstAction = action(
                150,
                "notify",
                "notify",
                Outcome.SUCCEEDED,
                elevated,
                new Command(
                        "http",
                        "POST https://hooks.example/starforge-ops {\"text\":\"connections at 82%\"}",
                        "#starforge-ops"),
                null);
        action(
                200,
                "pause-ingestion",
                "pause-ingestion",
                Outcome.SUCCEEDED,
                elevated,
                new Command("http", "PUT https://flags.example/api/flags/ingestion {\"enabled\":false}", "ingestion"),
                null);
        critical = pressure(2_000, Level.CRITICAL, Level.ELEVATED, "ratio_above_critical", 95, clients(60, 25, 10));
        CloudEvent<ActionEvent> planned =
                action(2_100, "scale-workers", "scale-workload", Outcome.PLANNED, critical, scale(0), null);
        scaleSucceeded = action(
                2_200,
                "scale-workers",
                "scale-workload",
                Outcome.SUCCEEDED,
                critical,
                scale(0),
                null,
                planned.data().actionId());
        action(
                2_300,
                "cancel-long-queries",
                "cancel-query",
                Outcome.SUCCEEDED,
                critical,
                new Command("postgres", "SELECT pg_cancel_backend(48211)", "48211"),
                null);
        CloudEvent<PressureChanged> last = critical;
        long spacing = Math.max(1, 1_500 / Math.max(periodic, 1));
        for (int i = 0; i < periodic; i++) {
            last = pressure(2_500 + i * spacing, Level.CRITICAL, Level.CRITICAL, "periodic", 94, clients(59, 25, 10));
        }
        CloudEvent<PressureChanged> cause = last;
        action(
                4_100,
                "terminate-backends",
                "terminate-backend",
                Outcome.SKIPPED,
                cause,
                new Command("postgres", "SELECT pg_terminate_backend(48300)", "48300"),
                "pid 48300 is a protected session (replication)");
        pressure(6_000, Level.ELEVATED, Level.CRITICAL, "ratio_above_elevated", 78, clients(40, 25, 10));
        backToOk = pressure(9_000, Level.OK, Level.ELEVATED, "below_clear_threshold", 50, clients(20, 22, 5));
        action(9_200, "restore-workers", "restore-workload", Outcome.REVERTED, backToOk, scale(1), null);
        action(
                9_300,
                "resume-ingestion",
                "resume-ingestion",
                Outcome.REVERTED,
                backToOk,
                new Command("http", "PUT https://flags.example/api/flags/ingestion {\"enabled\":true}", "ingestion"),
                null);
        resolved = pressure(39_000, Level.OK, Level.OK, "incident_resolved", 40, clients(12, 20, 5));
    }

    /** Publishes every event: pressure events to connguard.pressure, actions to connguard.actions. */
    public void publish(TopicWriter writer) {
        for (CloudEvent<?> event : events) {
            String topic = event.type().equals(EventType.ACTION.type()) ? Topics.ACTIONS : Topics.PRESSURE;
            writer.send(KafkaCloudEvents.toRecord(topic, event));
        }
    }

    public List<String> ids() {
        return events.stream().map(CloudEvent::id).toList();
    }

    public int actionCount() {
        return (int) events.stream()
                .filter(e -> e.data() instanceof ActionEvent)
                .map(e -> ((ActionEvent) e.data()).actionId())
                .distinct()
                .count();
    }

    private CloudEvent<PressureChanged> pressure(
            long atMs, Level level, Level previous, String reason, int connections, List<ClientShare> clients) {
        Instant sampled = onset.plusMillis(atMs);
        int idle = connections / 4;
        Connections counts = new Connections(connections, connections - idle, idle, 0, 0, 0, 0, 5, 0);
        PressureChanged data = new PressureChanged(
                target,
                incidentId,
                level,
                previous,
                level != previous,
                reason,
                sampled,
                1.8,
                CAPACITY,
                counts,
                (double) connections / CAPACITY.usable(),
                clients,
                List.of(),
                List.of(),
                null,
                List.of(),
                null,
                null);
        // published 40 ms after the sample: the detector's time to detect
        CloudEvent<PressureChanged> event = new CloudEvent<>(
                UUID.randomUUID().toString(),
                DETECTOR,
                EventType.PRESSURE_CHANGED.type(),
                target,
                sampled.plusMillis(40),
                data);
        events.add(event);
        return event;
    }

    private CloudEvent<ActionEvent> action(
            long atMs,
            String step,
            String kind,
            Outcome outcome,
            CloudEvent<PressureChanged> cause,
            Command command,
            String reason) {
        return action(
                atMs,
                step,
                kind,
                outcome,
                cause,
                command,
                reason,
                "act-" + incidentId + "-" + step + "-"
                        + UUID.randomUUID().toString().substring(0, 4));
    }

    private CloudEvent<ActionEvent> action(
            long atMs,
            String step,
            String kind,
            Outcome outcome,
            CloudEvent<PressureChanged> cause,
            Command command,
            String reason,
            String actionId) {
        Instant at = onset.plusMillis(atMs);
        boolean ran = outcome == Outcome.SUCCEEDED || outcome == Outcome.REVERTED;
        JsonNode before = kind.endsWith("workload")
                ? JsonNodeFactory.instance.objectNode().put("replicas", 6)
                : null;
        ActionEvent data = new ActionEvent(
                actionId,
                target,
                incidentId,
                cause.id(),
                step,
                kind,
                Mode.ENFORCE,
                outcome,
                command,
                before,
                null,
                null,
                reason == null ? kind + " because the target is " + cause.data().level() : reason,
                null,
                at,
                ran ? at.plus(Duration.ofMillis(70)) : null,
                ran ? 70L : null);
        CloudEvent<ActionEvent> event =
                new CloudEvent<>(actionId + "/" + outcome, MITIGATOR, EventType.ACTION.type(), target, at, data);
        events.add(event);
        return event;
    }

    private static Command scale(int replicas) {
        return new Command(
                "kubernetes",
                "PATCH apps/v1 deployments/etl-worker scale {\"spec\":{\"replicas\":" + replicas + "}}",
                "starforge/etl-worker");
    }

    private static List<ClientShare> clients(int etl, int api, int cron) {
        double usable = CAPACITY.usable();
        return List.of(
                new ClientShare("etl-worker", "etl", "10.0.4.17", etl, etl / usable),
                new ClientShare("api", "app", "10.0.2.5", api, api / usable),
                new ClientShare("nightly-report", "reporting", null, cron, cron / usable));
    }
}
