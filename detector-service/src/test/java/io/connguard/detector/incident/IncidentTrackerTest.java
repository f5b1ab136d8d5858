package io.connguard.detector.incident;

import static org.assertj.core.api.Assertions.assertThat;

import io.connguard.events.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IncidentTrackerTest {

    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    private final AtomicInteger ids = new AtomicInteger();
    private final IncidentTracker tracker =
            new IncidentTracker(Duration.ofSeconds(30), () -> "inc-" + ids.incrementAndGet());

    @Test
    void opensOnLeavingOkAndResolvesAfterOkHeld() {
        assertThat(tracker.observe(Level.OK, T0).incidentId()).isNull();
        var opened = tracker.observe(Level.ELEVATED, T0.plusSeconds(1));
        assertThat(opened)
                .isEqualTo(new IncidentTracker.Update("inc-1", T0.plusSeconds(1), IncidentTracker.Change.OPENED));
        assertThat(tracker.observe(Level.CRITICAL, T0.plusSeconds(2)).incidentId())
                .isEqualTo("inc-1");
        assertThat(tracker.observe(Level.OK, T0.plusSeconds(3)).change()).isEqualTo(IncidentTracker.Change.NONE);
        var resolved = tracker.observe(Level.OK, T0.plusSeconds(33));
        assertThat(resolved)
                .isEqualTo(new IncidentTracker.Update("inc-1", T0.plusSeconds(1), IncidentTracker.Change.RESOLVED));
        assertThat(tracker.observe(Level.ELEVATED, T0.plusSeconds(40)).incidentId())
                .isEqualTo("inc-2");
    }

    @Test
    void aRelapseBeforeResolutionKeepsTheIncident() {
        tracker.observe(Level.CRITICAL, T0);
        tracker.observe(Level.OK, T0.plusSeconds(1));
        tracker.observe(Level.ELEVATED, T0.plusSeconds(20));
        tracker.observe(Level.OK, T0.plusSeconds(21));
        assertThat(tracker.observe(Level.OK, T0.plusSeconds(40)).change()).isEqualTo(IncidentTracker.Change.NONE);
        assertThat(tracker.observe(Level.OK, T0.plusSeconds(51)))
                .isEqualTo(new IncidentTracker.Update("inc-1", T0, IncidentTracker.Change.RESOLVED));
    }

    @Test
    void aRestoredIncidentContinuesWithItsIdAndOnsetWhileRaised() {
        Instant onset = T0.minusSeconds(300);
        tracker.restore(new OpenIncident("inc-before-restart", onset, Level.CRITICAL));

        assertThat(tracker.observe(Level.CRITICAL, T0))
                .isEqualTo(new IncidentTracker.Update("inc-before-restart", onset, IncidentTracker.Change.NONE));
        assertThat(tracker.observe(Level.OK, T0.plusSeconds(1)).change()).isEqualTo(IncidentTracker.Change.NONE);
        assertThat(tracker.observe(Level.OK, T0.plusSeconds(31)))
                .isEqualTo(new IncidentTracker.Update("inc-before-restart", onset, IncidentTracker.Change.RESOLVED));
        assertThat(ids).as("no new id was drawn").hasValue(0);
    }

    @Test
    void aRestoredIncidentFoundOkResolvesAfterTheUsualHoldCountedFromTheRestart() {
        tracker.restore(new OpenIncident("inc-before-restart", null, Level.OK));

        assertThat(tracker.observe(Level.OK, T0))
                .isEqualTo(new IncidentTracker.Update("inc-before-restart", null, IncidentTracker.Change.NONE));
        assertThat(tracker.observe(Level.OK, T0.plusSeconds(29)).change()).isEqualTo(IncidentTracker.Change.NONE);
        assertThat(tracker.observe(Level.OK, T0.plusSeconds(30)).change()).isEqualTo(IncidentTracker.Change.RESOLVED);
        var next = tracker.observe(Level.ELEVATED, T0.plusSeconds(40));
        assertThat(next)
                .isEqualTo(new IncidentTracker.Update("inc-1", T0.plusSeconds(40), IncidentTracker.Change.OPENED));
    }

    @Test
    void unknownNeitherOpensNorResolves() {
        assertThat(tracker.observe(Level.UNKNOWN, T0).incidentId()).isNull();
        tracker.observe(Level.CRITICAL, T0.plusSeconds(1));
        assertThat(tracker.observe(Level.UNKNOWN, T0.plusSeconds(100)).incidentId())
                .isEqualTo("inc-1");
    }
}
