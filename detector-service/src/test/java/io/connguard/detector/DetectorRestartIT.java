package io.connguard.detector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connguard.events.Level;
import io.connguard.events.PressureChanged;
import io.connguard.events.Topics;
import io.connguard.infra.FreePorts;
import io.connguard.infra.kafka.EmbeddedKafkaBroker;
import io.connguard.infra.postgres.PostgresOptions;
import io.connguard.infra.postgres.PostgresServer;
import io.connguard.infra.process.ServiceProcess;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged detector stopped (SIGTERM, as Kubernetes does on a rollout) and started again, against a real broker and
 * a real cluster: an incident open at the restart keeps its id and onset through to its resolution, and a resolved one
 * is not revived. Without a broker at start-up the detector samples once the restore timeout has passed.
 */
class DetectorRestartIT {

    private static final String TARGET = "restarted";

    private static EmbeddedKafkaBroker kafka;
    private static PostgresServer target;

    @BeforeAll
    static void start() {
        DetectorTestInfra.registerJdbcDriver();
        kafka = EmbeddedKafkaBroker.start();
        kafka.createTopics(Topics.PRESSURE);
        // 20 slots - 3 reserved for superusers = 17 usable
        target = PostgresServer.start(PostgresOptions.defaults().maxConnections(20));
    }

    @AfterAll
    static void stop() {
        if (target != null) {
            target.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void anIncidentOpenAtARestartKeepsItsIdUntilItResolvesAndAResolvedOneIsNotContinued() throws Exception {
        try (PressureEvents events = new PressureEvents(kafka.bootstrapServers());
                HeldConnections clients = new HeldConnections(target)) {
            // with the detector's own connection 14 of 17 usable slots: 82 %, ELEVATED
            clients.open(13);
            PressureChanged opened;
            try (ServiceProcess first = detector()) {
                opened = events.await(TARGET, p -> p.level() == Level.ELEVATED, "ELEVATED, from the first run")
                        .data();
            }
            assertThat(opened.levelChanged()).isTrue();
            assertThat(opened.incidentId()).isNotBlank();
            assertThat(opened.incidentStartedAt()).isEqualTo(opened.sampledAt());

            Instant restarted = Instant.now();
            try (ServiceProcess second = detector()) {
                PressureChanged continued = events.await(
                                TARGET, p -> p.sampledAt().isAfter(restarted), "the second run's first event")
                        .data();
                assertThat(continued.incidentId()).as("the same incident").isEqualTo(opened.incidentId());
                assertThat(continued.incidentStartedAt()).isEqualTo(opened.incidentStartedAt());
                assertThat(continued.level()).isEqualTo(Level.ELEVATED);
                assertThat(continued.previousLevel()).isEqualTo(Level.ELEVATED);
                assertThat(continued.levelChanged()).isFalse();
                assertThat(continued.reason()).isEqualTo(PressureChanged.REASON_STARTED);

                clients.close();
                PressureChanged ok = events.await(TARGET, p -> p.level() == Level.OK && p.levelChanged(), "OK")
                        .data();
                assertThat(ok.incidentId()).isEqualTo(opened.incidentId());
                PressureChanged resolved = events.await(
                                TARGET,
                                p -> PressureChanged.REASON_INCIDENT_RESOLVED.equals(p.reason()),
                                "incident_resolved")
                        .data();
                assertThat(resolved.incidentId()).isEqualTo(opened.incidentId());
                assertThat(resolved.incidentStartedAt()).isEqualTo(opened.incidentStartedAt());
            }

            Instant restartedAgain = Instant.now();
            try (ServiceProcess third = detector()) {
                PressureChanged fresh = events.await(
                                TARGET, p -> p.sampledAt().isAfter(restartedAgain), "the third run's first event")
                        .data();
                assertThat(fresh.reason()).isEqualTo(PressureChanged.REASON_STARTED);
                assertThat(fresh.level()).isEqualTo(Level.OK);
                assertThat(fresh.incidentId())
                        .as("the resolved incident stays resolved")
                        .isNull();
                PressureChanged beat =
                        events.await(TARGET, p -> true, "the event after it").data();
                assertThat(beat.reason()).isEqualTo(PressureChanged.REASON_HEARTBEAT);
                assertThat(beat.incidentId()).isNull();
            }
        }
    }

    @Test
    void aDetectorStartingWhileKafkaIsAwaySamplesAfterTheRestoreTimeout() throws Exception {
        Map<String, String> config = config("127.0.0.1:" + FreePorts.pick());
        config.put("connguard.detector.restore.timeout", "2s");
        try (ServiceProcess detector = ServiceProcess.start("detector-service", FreePorts.pick(), config)) {
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest targets =
                    HttpRequest.newBuilder(detector.url("/api/targets")).build();
            await("a first sample without Kafka")
                    .atMost(Duration.ofSeconds(60))
                    .ignoreExceptionsInstanceOf(IOException.class)
                    .until(() -> http.send(targets, HttpResponse.BodyHandlers.ofString())
                            .body()
                            .contains("\"level\":\"OK\""));
            assertThat(detector.output())
                    .contains("cannot read the last events of connguard.pressure within PT2S")
                    .contains("target " + TARGET + ": no open incident to continue");
        }
    }

    private static ServiceProcess detector() throws Exception {
        return ServiceProcess.start("detector-service", FreePorts.pick(), config(kafka.bootstrapServers()))
                .awaitReady(Duration.ofSeconds(60));
    }

    private static Map<String, String> config(String bootstrapServers) {
        Map<String, String> config = new HashMap<>();
        config.put("kafka.bootstrap.servers", bootstrapServers);
        config.put("connguard.detector.periodic-update", "1s");
        config.put("connguard.detector.heartbeat", "1s");
        String prefix = "connguard.detector.targets." + TARGET + ".";
        config.put(prefix + "host", target.host());
        config.put(prefix + "port", Integer.toString(target.port()));
        config.put(prefix + "user", target.superuser());
        config.put(prefix + "sample-interval", "200ms");
        config.put(prefix + "thresholds.hold-down", "1s");
        config.put(prefix + "thresholds.resolve-after", "2s");
        return config;
    }
}
