package io.connguard.mitigator.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.connguard.events.EventJson;
import io.connguard.mitigator.policy.EpisodeState.Phase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A mitigator upgraded mid-incident reads the state ConfigMap its predecessor wrote (KubernetesStateStore uses the
 * contract's mapper), and a predecessor rolled back to reads what this version writes.
 */
class StoredStateCompatibilityTest {

    private static final ObjectMapper JSON = EventJson.mapper();

    // written by 0.1.0 before sweeps existed (no "sweep"), mid-incident: ingestion paused, workers scaled down
    private static final String WRITTEN_BY_0_1_0 = """
            {"phase":"MITIGATING","incidentId":"inc-7","episode":1,"step":1,"since":"2026-11-27T04:50:37Z",
             "baselineRatio":1.0,"stage":0,"applied":[0,1],
             "lastActionAt":{"pause-ingestion":"2026-11-27T04:50:33Z","scale-workload":"2026-11-27T04:50:33Z"},
             "recentActions":["2026-11-27T04:50:33Z","2026-11-27T04:50:33Z"],"actionsInIncident":2,
             "recentSignals":[],"recentEventIds":["e1","e2"],"lastSample":{"connections":55,"capacity":55},
             "scaleDown":{"step":"scale-etl-worker-down","connectionsBefore":55,"replicasBefore":6,"replicasAfter":1,
                          "poolSize":10}}
            """;

    @Test
    void aStateWrittenBeforeSweepsExistedLoadsAsTheFirstPass() throws Exception {
        EpisodeState state = JSON.readValue(WRITTEN_BY_0_1_0, EpisodeState.class);

        assertThat(state.phase()).isEqualTo(Phase.MITIGATING);
        assertThat(state.step()).isEqualTo(1);
        assertThat(state.applied()).containsExactly(0, 1);
        assertThat(state.lastActionAt()).containsEntry("scale-workload", Instant.parse("2026-11-27T04:50:33Z"));
        assertThat(state.scaleDown().replicasBefore()).isEqualTo(6);
        assertThat(state.sweep()).isZero();
    }

    @Test
    void whatThisVersionWritesRoundTripsAndOnlyAddsFields() throws Exception {
        EpisodeState old = JSON.readValue(WRITTEN_BY_0_1_0, EpisodeState.class);
        EpisodeState swept = old.withNextSweep();

        String written = JSON.writeValueAsString(swept);
        assertThat(JSON.readValue(written, EpisodeState.class)).isEqualTo(swept);
        // a rolled-back 0.1.0 ignores unknown fields (FAIL_ON_UNKNOWN_PROPERTIES is off) and finds all of its own
        List<String> oldFields = new ArrayList<>();
        JSON.readTree(WRITTEN_BY_0_1_0).fieldNames().forEachRemaining(oldFields::add);
        List<String> newFields = new ArrayList<>();
        JSON.readTree(written).fieldNames().forEachRemaining(newFields::add);
        assertThat(newFields).containsAll(oldFields).contains("sweep");
    }
}
