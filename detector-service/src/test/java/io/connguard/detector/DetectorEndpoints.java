package io.connguard.detector;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.connguard.events.Level;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** What an operator reads off a running detector: /q/metrics, /q/health/live and /api/targets. */
final class DetectorEndpoints {

    private DetectorEndpoints() {}

    /**
     * The value of one Prometheus series, named as it appears on /q/metrics (e.g. {@code
     * connguard_events_pending} or {@code connguard_level{target="main"}}).
     */
    static double metric(String series) {
        String body = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return body.lines()
                .filter(line -> line.startsWith(series + " "))
                .map(line ->
                        Double.parseDouble(line.substring(series.length() + 1).trim()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no series " + series + " on /q/metrics"));
    }

    /** Successful samples of a target so far. */
    static double samples(String targetId) {
        return metric("connguard_probe_duration_seconds_count{target=\"" + targetId + "\"}");
    }

    /** The level of a target's last sample on /api/targets; null before its first sample. */
    static Level lastLevel(String targetId) {
        List<Map<String, Object>> targets = given().get("/api/targets")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("$");
        return targets.stream()
                .filter(t -> targetId.equals(t.get("targetId")))
                .map(t -> (Map<?, ?>) t.get("last"))
                .map(last -> last == null ? null : Level.valueOf((String) last.get("level")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("target " + targetId + " not on /api/targets"));
    }

    /** Waits until a target's last sample is at {@code level}; fails after 20 s. */
    static void awaitLevel(String targetId, Level level) {
        await("target " + targetId + " sampled at " + level)
                .atMost(Duration.ofSeconds(20))
                .until(() -> lastLevel(targetId) == level);
    }

    /** Liveness is what makes Kubernetes restart the pod, and a restart loses every event still waiting. */
    static void assertAlive() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }
}
