package io.connguard.detector;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Clock;

/** The wall clock; tests of the pure core pass a fixed one instead. */
@ApplicationScoped
class ClockProducer {

    @Produces
    Clock clock() {
        return Clock.systemUTC();
    }
}
