package io.connguard.drill;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.FileHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Sends every log record of the drill's JVM (its own, the broker's, the Kafka and fabric8 clients') to a file, so
 * the terminal shows only the drill's report and progress line. Must run before anything logs.
 */
final class DrillLogging {

    private DrillLogging() {}

    /** Installs the JBoss LogManager (the services' own) as the JVM's log manager; call first thing in main. */
    static void install() {
        System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT.%1$tL %4$-7s [%3$s] %5$s%6$s%n");
    }

    /** From now on, log records go to {@code file} (replaced), the broker's INFO chatter left out. */
    static void toFile(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        FileHandler handler = new FileHandler(file.toString(), false);
        handler.setFormatter(new SimpleFormatter());
        root.addHandler(handler);
        root.setLevel(Level.INFO);
        Logger.getLogger("org.apache.kafka").setLevel(Level.WARNING);
        Logger.getLogger("kafka").setLevel(Level.WARNING);
        Logger.getLogger("okhttp3.mockwebserver").setLevel(Level.WARNING);
        Logger.getLogger("io.fabric8.mockwebserver").setLevel(Level.WARNING);
    }
}
