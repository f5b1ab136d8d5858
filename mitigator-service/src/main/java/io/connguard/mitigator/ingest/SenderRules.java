package io.connguard.mitigator.ingest;

import io.connguard.events.CloudEvent;
import io.connguard.events.PressureChanged;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who may make the mitigator act: a pressure event is admitted only from an accepted {@code ce_source}, with a Kafka
 * key equal to its {@code ce_subject}, and for a configured target. Anyone who can write to the topic could otherwise
 * pause ingestion or signal sessions for any id, and every new id would cost an actor with its own thread. That
 * {@code ce_subject} equals {@code data.targetId} is the event contract's own rule, checked when the record is decoded.
 */
public record SenderRules(Set<String> acceptedSources, Set<String> targets) {

    /** A broken rule: {@code rule} is one of {@code source}, {@code key}, {@code target}; {@code reason} names it. */
    public record Rejection(String rule, String reason) {}

    public SenderRules {
        acceptedSources = Set.copyOf(Objects.requireNonNull(acceptedSources, "acceptedSources"));
        targets = Set.copyOf(Objects.requireNonNull(targets, "targets"));
    }

    /** The first rule the event breaks; empty when it is admitted. */
    public Optional<Rejection> check(String key, CloudEvent<PressureChanged> event) {
        String source = event.source().toString();
        if (!acceptedSources.contains(source)) {
            return reject(
                    "source",
                    "ce_source '" + source + "' is not in connguard.mitigator.accepted-sources "
                            + new TreeSet<>(acceptedSources));
        }
        if (!event.subject().equals(key)) {
            return reject(
                    "key",
                    "Kafka key " + (key == null ? "(none)" : "'" + key + "'") + " does not equal ce_subject '"
                            + event.subject() + "'");
        }
        if (!targets.contains(event.subject())) {
            return reject(
                    "target",
                    "target '" + event.subject() + "' is not configured (no connguard.mitigator.targets."
                            + event.subject() + ".*)");
        }
        return Optional.empty();
    }

    private static Optional<Rejection> reject(String rule, String reason) {
        return Optional.of(new Rejection(rule, "sender rule: " + reason));
    }
}
