package io.connguard.infra.kafka;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.common.utils.Exit;

/**
 * Keeps an in-process broker from drowning test output and from ending the JVM it shares with the tests.
 * Applied once per JVM when the first embedded broker starts. The quieted categories include Kafka's client
 * packages, whose configuration dumps are as long as the broker's; set {@value #QUIET_PROPERTY}{@code =false}
 * to keep INFO.
 */
final class EmbeddedBrokerEnvironment {

    /** The broker logs every partition, election and config at INFO; tests only care about warnings. */
    static final String QUIET_PROPERTY = "connguard.infra.kafka.quiet";

    // strong references: java.util.logging keeps loggers weakly, and a collected logger forgets its level
    private static final List<Logger> QUIETED = List.of(
            Logger.getLogger("kafka"), Logger.getLogger("org.apache.kafka"), Logger.getLogger("state.change.logger"));

    private static boolean applied;

    private EmbeddedBrokerEnvironment() {}

    static synchronized void apply() {
        if (applied) {
            return;
        }
        applied = true;
        if (Boolean.parseBoolean(System.getProperty(QUIET_PROPERTY, "true"))) {
            // slf4j reaches java.util.logging levels through the JBoss LogManager used by Quarkus and this build;
            // with another slf4j backend this has no effect and that backend's own configuration applies
            QUIETED.forEach(logger -> logger.setLevel(Level.WARNING));
        }
        // a fatal broker fault calls Exit.halt, which would end the test JVM without reports: log it instead
        Exit.setHaltProcedure((status, message) -> Logger.getLogger("kafka")
                .severe("The embedded Kafka broker asked to halt the JVM (status " + status + "): " + message));
        Exit.setExitProcedure((status, message) -> Logger.getLogger("kafka")
                .severe("The embedded Kafka broker asked to exit the JVM (status " + status + "): " + message));
    }
}
