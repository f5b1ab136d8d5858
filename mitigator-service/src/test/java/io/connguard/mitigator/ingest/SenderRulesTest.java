package io.connguard.mitigator.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.connguard.events.CloudEvent;
import io.connguard.events.EventType;
import io.connguard.events.Level;
import io.connguard.events.PressureChanged;
import io.connguard.mitigator.ingest.SenderRules.Rejection;
import io.connguard.mitigator.policy.Pressure;
import java.net.URI;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SenderRulesTest {

    private static final String DETECTOR = "urn:connguard:detector";
    private final SenderRules rules = new SenderRules(Set.of(DETECTOR, "urn:connguard:detector:eu"), Set.of("main"));

    @Test
    void anEventFromAnAcceptedSourceForAConfiguredTargetKeyedByItsSubjectIsAdmitted() {
        assertThat(rules.check("main", event(DETECTOR, "main"))).isEmpty();
        assertThat(rules.check("main", event("urn:connguard:detector:eu", "main")))
                .isEmpty();
    }

    @Test
    void anotherSourceIsRejectedNamingItAndTheAcceptedOnes() {
        assertThat(rules.check("main", event("urn:connguard:detector:forged", "main")))
                .hasValue(new Rejection(
                        "source",
                        "sender rule: ce_source 'urn:connguard:detector:forged' is not in"
                                + " connguard.mitigator.accepted-sources"
                                + " [urn:connguard:detector, urn:connguard:detector:eu]"));
    }

    @Test
    void aKeyOtherThanTheSubjectIsRejected() {
        assertThat(rules.check("other", event(DETECTOR, "main")))
                .hasValue(new Rejection("key", "sender rule: Kafka key 'other' does not equal ce_subject 'main'"));
        assertThat(rules.check(null, event(DETECTOR, "main")))
                .hasValue(new Rejection("key", "sender rule: Kafka key (none) does not equal ce_subject 'main'"));
    }

    @Test
    void anUnconfiguredTargetIsRejectedNamingTheMissingKeys() {
        assertThat(rules.check("bogus", event(DETECTOR, "bogus")))
                .hasValue(new Rejection(
                        "target",
                        "sender rule: target 'bogus' is not configured (no connguard.mitigator.targets.bogus.*)"));
    }

    @Test
    void withoutTargetsNothingIsAdmitted() {
        SenderRules none = new SenderRules(Set.of(DETECTOR), Set.of());
        assertThat(none.check("main", event(DETECTOR, "main")))
                .map(Rejection::rule)
                .hasValue("target");
    }

    private static CloudEvent<PressureChanged> event(String source, String target) {
        return CloudEvent.create(
                URI.create(source),
                EventType.PRESSURE_CHANGED,
                target,
                Pressure.sample(target, "i-1", Level.CRITICAL, 95));
    }
}
