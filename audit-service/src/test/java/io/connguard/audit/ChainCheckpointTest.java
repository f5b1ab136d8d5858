package io.connguard.audit;

import static io.connguard.audit.Api.events;
import static io.connguard.audit.Api.writer;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connguard.events.KafkaCloudEvents;
import io.connguard.events.Topics;
import io.connguard.infra.kafka.TopicWriter;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * The chain heads are anchored outside the database: rows deleted from the end of a chain after a checkpoint fail
 * verification, which the chain's own links cannot show, and later checkpoints do not paper over them.
 */
@QuarkusTest
@WithTestResource(value = AuditTestInfra.class, scope = TestResourceScope.GLOBAL)
class ChainCheckpointTest {

    private static final String TARGET = "anchored-db";
    private static final Instant FIRST = Instant.parse("2026-12-02T09:00:00Z");

    @Test
    void deletingTheNewestRowsAfterACheckpointFailsVerificationNamingTheMissingRange() throws Exception {
        try (TopicWriter writer = writer()) {
            for (int i = 0; i < 5; i++) {
                send(writer, i);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> events(TARGET).size() == 5);
            // checkpoint.interval is 1s in the test profile
            await("a checkpoint of position 5 on " + Topics.AUDIT_CHECKPOINTS)
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> Objects.equals(verify().get("checkpoint.chainPosition"), 5));

            JsonPath intact = verify();
            assertThat(intact.getBoolean("valid")).as(intact.prettify()).isTrue();
            assertThat(intact.getString("checkpoint.chainHash")).isEqualTo(intact.getString("headHash"));
            assertThat(intact.getString("checkpointError")).isNull();

            // someone who can switch the append-only guard off removes the two newest rows: the remaining chain's
            // links are all intact
            AuditTestInfra.database().execute("audit", """
                    DO $$ BEGIN
                        ALTER TABLE event DISABLE TRIGGER event_append_only;
                        DELETE FROM event WHERE subject = 'anchored-db' AND chain_position > 3;
                        ALTER TABLE event ENABLE TRIGGER event_append_only;
                    END $$
                    """);

            JsonPath truncated = verify();
            assertThat(truncated.getBoolean("valid")).as(truncated.prettify()).isFalse();
            assertThat(truncated.getLong("headPosition")).isEqualTo(3);
            assertThat(truncated.getLong("firstMismatch.missingFrom")).isEqualTo(4);
            assertThat(truncated.getLong("firstMismatch.missingTo")).isEqualTo(5);
            assertThat(truncated.getString("firstMismatch.reason"))
                    .startsWith("positions 4 to 5 are missing at the end of the chain");

            // the chain grows again from position 4: the next round refuses to checkpoint over the anchor
            double refusedBefore = refusedCheckpoints();
            send(writer, 5);
            await().atMost(Duration.ofSeconds(30)).until(() -> events(TARGET).size() == 4);
            await("the truncated chain is not checkpointed")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> refusedCheckpoints() > refusedBefore);
            JsonPath regrown = verify();
            assertThat(regrown.getBoolean("valid")).isFalse();
            assertThat(regrown.getLong("checkpoint.chainPosition")).isEqualTo(5);
            assertThat(regrown.getString("firstMismatch.reason"))
                    .startsWith("positions 5 to 5 are missing at the end of the chain");
        }
    }

    private static void send(TopicWriter writer, int i) {
        writer.send(KafkaCloudEvents.toRecord(Topics.PRESSURE, EventIngestTest.pressure(TARGET, FIRST.plusSeconds(i))));
    }

    private static JsonPath verify() {
        return given().get("/api/chains/" + TARGET + "/verify")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    private static double refusedCheckpoints() {
        return given().get("/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString()
                .lines()
                .filter(line -> line.startsWith("connguard_audit_checkpoints_refused_total"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
