package io.connguard.detector;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.connguard.events.CloudEvent;
import io.connguard.events.EventType;
import io.connguard.events.KafkaCloudEvents;
import io.connguard.events.Level;
import io.connguard.events.PressureChanged;
import io.connguard.events.Topics;
import io.connguard.infra.SharedInfra;
import io.connguard.infra.kafka.TopicTail;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
        try (TopicTail tail = tail()) {
            // the detector itself holds one of the 17 usable slots: 14 of 17 is 82 %
            open(13);
            CloudEvent<PressureChanged> elevated = awaitLevel(tail, Level.ELEVATED);
            assertThat(elevated.subject()).isEqualTo(DetectorTestInfra.TARGET);
            assertThat(elevated.data().capacity().usable()).isEqualTo(17);
            assertThat(elevated.data().connections().total()).isGreaterThanOrEqualTo(14);
            assertThat(elevated.data().incidentId()).isNotBlank();

            release();
            CloudEvent<PressureChanged> ok = awaitLevel(tail, Level.OK);
            assertThat(ok.data().incidentId()).isEqualTo(elevated.data().incidentId());
            CloudEvent<PressureChanged> resolved = awaitReason(tail, "incident_resolved");
            assertThat(resolved.data().incidentId()).isEqualTo(elevated.data().incidentId());
        }
    }

    @Test
    void targetsEndpointShowsTheLastSample() {
        given().when()
                .get("/api/targets")
                .then()
                .statusCode(200)
                .body("[0].targetId", equalTo(DetectorTestInfra.TARGET))
                .body("[0].last.capacity.maxConnections", equalTo(DetectorTestInfra.MAX_CONNECTIONS));
    }

    private void open(int count) throws SQLException {
        for (int i = 0; i < count; i++) {
            held.add(DriverManager.getConnection(
                    DetectorTestInfra.target().jdbcUrl(),
                    DetectorTestInfra.target().superuser(),
                    ""));
        }
    }

    private static TopicTail tail() {
        return TopicTail.fromNow(SharedInfra.kafka().bootstrapServers(), Topics.PRESSURE);
    }

    private static CloudEvent<PressureChanged> awaitLevel(TopicTail tail, Level level) {
        return await(tail, e -> e.data().level() == level && e.data().levelChanged(), "level " + level);
    }

    private static CloudEvent<PressureChanged> awaitReason(TopicTail tail, String reason) {
        return await(tail, e -> reason.equals(e.data().reason()), "reason " + reason);
    }

    private static CloudEvent<PressureChanged> await(
            TopicTail tail, Predicate<CloudEvent<PressureChanged>> wanted, String what) {
        ConsumerRecord<String, byte[]> record = tail.await(r -> wanted.test(decode(r)), Duration.ofSeconds(20), what);
        assertThat(record.key()).isEqualTo(DetectorTestInfra.TARGET);
        return decode(record);
    }

    private static CloudEvent<PressureChanged> decode(ConsumerRecord<String, byte[]> record) {
        return KafkaCloudEvents.decode(record.headers(), record.value(), EventType.PRESSURE_CHANGED);
    }
}
