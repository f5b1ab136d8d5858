package io.connguard.mitigator.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connguard.events.Level;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PolicyLoaderTest {

    @Test
    void theDefaultPolicyFollowsTheRunbookOrder() {
        Policy policy = PolicyLoader.loadDefault();
        assertThat(policy.ladder())
                .extracting(Policy.Step::name)
                .containsExactly(
                        "pause-ingestion",
                        "scale-etl-worker-down",
                        "cancel-long-queries",
                        "terminate-idle-in-transaction",
                        "shrink-pools");
        assertThat(policy.ladder().get(4).enabled()).isFalse();
        var cancel = (ActionSpec.CancelQueries) policy.ladder().get(2).action();
        assertThat(cancel.terminate()).isFalse();
        assertThat(cancel.minDuration()).isEqualTo(Duration.ofSeconds(30));
        // "follow in order until connections recover": the session steps also answer what ELEVATED is left with
        assertThat(policy.ladder().get(2).when().minLevel()).isEqualTo(Level.ELEVATED);
        assertThat(policy.ladder().get(3).when().minLevel()).isEqualTo(Level.ELEVATED);
        assertThat(policy.ladder().get(3).when().minIdleInTransaction()).isEqualTo(1);
        // the runbook's emergency summary: pause ingestion and scale down workers together
        assertThat(policy.ladder().get(0).andNext()).isTrue();
        assertThat(policy.ladder().get(1).andNext()).isFalse();
        assertThat(policy.recovery().maxRatio()).isEqualTo(0.70);
    }

    @Test
    void anUnknownActionKindNamesFileAndPath() {
        assertThatThrownBy(() -> parse("""
                        ladder:
                          - name: x
                            action: {kind: reboot-database}
                        """))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("bad.yaml")
                .hasMessageContaining("ladder[0].action")
                .hasMessageContaining("line 3")
                .hasMessageContaining("reboot-database");
    }

    @Test
    void anUnknownKeyIsAnError() {
        assertThatThrownBy(() -> parse("""
                        ladder:
                          - name: x
                            action: {kind: cancel-queries}
                            verfiy: {window: 10s}
                        """)).hasMessageContaining("ladder[0]").hasMessageContaining("verfiy");
    }

    @Test
    void aBadDurationIsAnError() {
        assertThatThrownBy(() -> parse("""
                        ladder:
                          - name: x
                            action: {kind: cancel-queries, min-duration: soon}
                        """))
                .hasMessageContaining("ladder[0].action.min-duration")
                .hasMessageContaining("bad duration 'soon'");
    }

    @Test
    void anImpossibleOrderIsAnError() {
        assertThatThrownBy(() -> parse("""
                        ladder:
                          - name: cancel
                            when: {min-level: CRITICAL}
                            action: {kind: cancel-queries}
                          - name: cancel-again
                            when: {min-level: ELEVATED}
                            action: {kind: cancel-queries}
                        """))
                .isInstanceOfSatisfying(
                        PolicyException.class,
                        e -> assertThat(e.problems())
                                .singleElement()
                                .asString()
                                .startsWith("ladder[1].when.min-level: impossible order"));
    }

    @Test
    void semanticProblemsAreAllReported() {
        assertThatThrownBy(() -> parse("""
                        ladder:
                          - name: s
                            action: {kind: scale-workload, workload: {kind: Pod, namespace: a, name: b}}
                          - name: s
                            action: {kind: shrink-pool, workload: {kind: Deployment, namespace: a, name: b}}
                        """))
                .isInstanceOfSatisfying(
                        PolicyException.class,
                        e -> assertThat(e.problems())
                                .containsExactly(
                                        "ladder[0].action.workload.kind: must be Deployment or StatefulSet, was 'Pod'",
                                        "ladder[0].action: exactly one of replicas or fraction is required",
                                        "ladder[1].name: duplicate step name 's'",
                                        "ladder[1].action.value: required, >= 1"));
    }

    @Test
    void andNextNeedsAStepAfterItAndTheRecoveryCeilingIsARatio() {
        assertThatThrownBy(() -> parse("""
                        ladder:
                          - name: scale
                            and-next: true
                            action: {kind: scale-workload, workload: {kind: Deployment, namespace: a, name: b}, replicas: 1}
                          - name: off
                            enabled: false
                            action: {kind: cancel-queries}
                        recovery: {max-ratio: 1.5}
                        """))
                .isInstanceOfSatisfying(
                        PolicyException.class,
                        e -> assertThat(e.problems())
                                .containsExactly(
                                        "ladder[0].and-next: needs an enabled step after it",
                                        "recovery.max-ratio: must be in (0, 1]"));
    }

    @Test
    void evidenceBoundsAreCheckedAndTheShippedDefaultsApplyWhenAbsent() {
        assertThatThrownBy(() -> parse("""
                        ladder:
                          - name: cancel
                            action: {kind: cancel-queries}
                        evidence: {max-age: 30s, timeout: 10s, confirm-tolerance: 1, healthy-below: 0}
                        """))
                .isInstanceOfSatisfying(
                        PolicyException.class,
                        e -> assertThat(e.problems())
                                .containsExactly(
                                        "evidence.timeout: must not be shorter than evidence.max-age",
                                        "evidence.confirm-tolerance: must be in [0, 1)",
                                        "evidence.healthy-below: must be in (0, 1]"));
        assertThat(PolicyLoader.loadDefault().evidence())
                .isEqualTo(new Policy.Evidence(Duration.ofSeconds(10), Duration.ofSeconds(45), 0.10, 0.80));
    }

    @Test
    void webhookUrlsMustBeAbsoluteHttpUrls() {
        assertThatThrownBy(() -> parse("""
                        ladder:
                          - name: pause
                            action:
                              kind: pause-ingestion
                              flag: {webhook: {method: PUT, url: "flagd:8013/flags"}}
                        notify: {url: "hooks.slack.com/services/T0"}
                        """))
                .isInstanceOfSatisfying(
                        PolicyException.class,
                        e -> assertThat(e.problems())
                                .containsExactly(
                                        "ladder[0].action.flag.webhook.url: must be an absolute http(s) URL, was"
                                                + " 'flagd:8013/flags'",
                                        "notify.url: must be an absolute http(s) URL, was"
                                                + " 'hooks.slack.com/services/T0'"));
    }

    private static Policy parse(String yaml) {
        return PolicyLoader.parse("bad.yaml", new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
    }
}
