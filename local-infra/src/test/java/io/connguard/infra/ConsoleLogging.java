package io.connguard.infra;

import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Prints log records to the console in this module's tests. Quarkus' bootstrap jar (on the classpath through
 * quarkus-test-common) holds JBoss LogManager output back until a Quarkus application configures logging,
 * which never happens here; without this handler the start times the fixtures log would be lost.
 */
public final class ConsoleLogging implements LauncherSessionListener {

    // strong reference: java.util.logging keeps loggers weakly
    private static final Logger ROOT = Logger.getLogger("");

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        Handler handler = new ConsoleHandler();
        handler.setLevel(Level.INFO);
        handler.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord record) {
                String thrown = record.getThrown() == null ? "" : " " + record.getThrown();
                return String.format(
                        "%1$tT.%1$tL %2$-7s [%3$s] %4$s%5$s%n",
                        record.getMillis(), record.getLevel(), record.getLoggerName(), formatMessage(record), thrown);
            }
        });
        ROOT.addHandler(handler);
    }
}
