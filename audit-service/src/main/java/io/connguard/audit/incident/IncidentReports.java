package io.connguard.audit.incident;

import io.connguard.audit.store.EventStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/** Assembles an incident's timeline and postmortem from the projection and the stored events. */
@ApplicationScoped
public class IncidentReports {

    /** More events than this in one incident are cut (about 14 hours of one-second samples). */
    static final int MAX_TIMELINE_EVENTS = 50_000;

    private static final String FOLLOW_UPS = "/postmortem/follow-ups.txt";

    private final IncidentStore incidents;
    private final EventStore events;
    private final List<String> followUps;

    IncidentReports(IncidentStore incidents, EventStore events) {
        this.incidents = incidents;
        this.events = events;
        this.followUps = followUps();
    }

    public Optional<Timeline> timeline(String incidentId) {
        return incidents.find(incidentId).map(i -> Timeline.of(i, events.byIncident(incidentId, MAX_TIMELINE_EVENTS)));
    }

    public Optional<Postmortem> postmortem(String incidentId) {
        return timeline(incidentId).map(t -> Postmortem.of(t, followUps));
    }

    private static List<String> followUps() {
        try (InputStream in = IncidentReports.class.getResourceAsStream(FOLLOW_UPS)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + FOLLOW_UPS);
            }
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                    .lines()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + FOLLOW_UPS, e);
        }
    }
}
