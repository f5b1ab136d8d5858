package io.connguard.detector;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.connguard.events.CloudEvent;
import io.connguard.events.Level;
import io.connguard.events.PressureChanged;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(value = DetectorTestInfra.class, scope = TestResourceScope.GLOBAL)
class PressurePublishingTest {

    private final List<Connection> held = new ArrayList<>();

    @AfterEach
    void release() throws SQLException {
        for (Connection c : held) {
            c.close();
        }
        held.clear();
    }

    @Test
    void fillingTheServerRaisesElevatedAndReleasingResolves() throws Exception {
        try (PressureEvents events = new PressureEvents()) {
            // the detector itself holds one of the 17 usable slots: 14 of 17 is 82 %
            open(13);
            CloudEvent<PressureChanged> elevated = events.await(
                    DetectorTestInfra.TARGET, p -> p.level() == Level.ELEVATED && p.levelChanged(), "ELEVATED");
            assertThat(elevated.data().reason()).isEqualTo("ratio_above_elevated");
            assertThat(elevated.data().capacity().usable()).isEqualTo(17);
            assertThat(elevated.data().connections().total()).isGreaterThanOrEqualTo(14);
            assertThat(elevated.data().incidentId()).isNotBlank();
            assertThat(elevated.data().pooler())
                    .as("the target's PgBouncer is sampled")
                    .isNotNull();

            release();
            CloudEvent<PressureChanged> ok =
                    events.await(DetectorTestInfra.TARGET, p -> p.level() == Level.OK && p.levelChanged(), "OK");
            assertThat(ok.data().incidentId()).isEqualTo(elevated.data().incidentId());
            CloudEvent<PressureChanged> resolved = events.await(
                    DetectorTestInfra.TARGET, p -> "incident_resolved".equals(p.reason()), "incident_resolved");
            assertThat(resolved.data().incidentId()).isEqualTo(elevated.data().incidentId());
        }
    }

    @Test
    void aHealthyTargetIsAnnouncedRightAfterStartUpAndThenEveryHeartbeat() {
        try (PressureEvents events = PressureEvents.fromBeginning()) {
            PressureChanged first = events.await(DetectorTestInfra.TARGET, p -> true, "a first event")
                    .data();
            assertThat(first.reason()).isEqualTo(PressureChanged.REASON_STARTED);
            assertThat(first.level()).isEqualTo(Level.OK);
            assertThat(first.levelChanged()).isFalse();
            assertThat(first.incidentId()).isNull();
        }
        try (PressureEvents events = new PressureEvents()) {
            // an incident another test left may still be resolving: then the heartbeats follow its resolution
            PressureChanged beat = events.await(
                            DetectorTestInfra.TARGET,
                            p -> PressureChanged.REASON_HEARTBEAT.equals(p.reason()),
                            "a heartbeat")
                    .data();
            PressureChanged next = events.await(DetectorTestInfra.TARGET, p -> true, "the event after it")
                    .data();

            assertThat(next.reason()).isEqualTo(PressureChanged.REASON_HEARTBEAT);
            assertThat(List.of(beat, next)).allSatisfy(heartbeat -> {
                assertThat(heartbeat.level()).isEqualTo(Level.OK);
                assertThat(heartbeat.levelChanged()).isFalse();
                assertThat(heartbeat.incidentId()).isNull();
                assertThat(heartbeat.connections()).isNotNull();
            });
            // heartbeat 1 s, a sample every 200 ms: the first sample at least a heartbeat after the last event
            assertThat(Duration.between(beat.sampledAt(), next.sampledAt()))
                    .isBetween(Duration.ofSeconds(1), Duration.ofMillis(1900));
        }
    }

    @Test
    void targetsEndpointShowsTheLastSample() {
        given().when()
                .get("/api/targets")
                .then()
                .statusCode(200)
                .body("[0].targetId", equalTo(DetectorTestInfra.TARGET))
                .body("[0].last.capacity.maxConnections", equalTo(DetectorTestInfra.MAX_CONNECTIONS))
                .body("[1].targetId", equalTo(DetectorTestInfra.SPARE));
    }

    @Test
    void metricsArePublishedPerTarget() {
        given().when()
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .body(containsString("connguard_connections{state=\"total\",target=\"main\"}"))
                .body(containsString("connguard_capacity_usable{target=\"main\"} 17.0"))
                .body(containsString("connguard_capacity_max{target=\"main\"} 20.0"))
                .body(containsString("connguard_pressure_ratio{target=\"main\"}"))
                .body(containsString("connguard_level{target=\"spare\"}"))
                .body(containsString("connguard_pooler_clients_waiting{target=\"main\"}"))
                .body(containsString("connguard_probe_duration_seconds_count{target=\"main\"}"))
                .body(containsString("connguard_probe_failures_total{target=\"spare\"}"))
                .body(containsString("connguard_events_dropped_total"));
    }

    private void open(int count) throws SQLException {
        for (int i = 0; i < count; i++) {
            held.add(DriverManager.getConnection(
                    DetectorTestInfra.target().jdbcUrl(),
                    DetectorTestInfra.target().superuser(),
                    ""));
        }
    }
}
