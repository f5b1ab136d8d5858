package io.connguard.drill.workload;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * One pooled connection of one replica of a StarForge workload, on its own thread: connects (retrying while the
 * server refuses, as a real pool does), then does short units of work until stopped. Stopping closes the connection.
 */
final class Session implements Runnable {

    private static final Logger LOG = Logger.getLogger(Session.class);
    private static final long WORK_INTERVAL_MS = 400;
    private static final long RETRY_MS = 500;

    /** What one unit of work does on the connection. */
    interface Work {
        void run(Statement statement) throws SQLException;
    }

    private final String jdbcUrl;
    private final Properties properties;
    private final Work work;
    private final AtomicLong refusals;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean connected;

    Session(String name, String jdbcUrl, String user, String application, Work work, AtomicLong refusals) {
        this.jdbcUrl = jdbcUrl;
        this.work = work;
        this.refusals = refusals;
        properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("ApplicationName", application);
        properties.setProperty("connectTimeout", "5");
        thread = new Thread(this, name);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Asks the session to close its connection; returns at once. */
    void stop() {
        running = false;
        thread.interrupt();
    }

    boolean connected() {
        return connected;
    }

    @Override
    public void run() {
        while (running) {
            try (Connection connection = DriverManager.getConnection(jdbcUrl, properties);
                    Statement statement = connection.createStatement()) {
                connected = true;
                while (running) {
                    work.run(statement);
                    Thread.sleep(WORK_INTERVAL_MS);
                }
            } catch (SQLException e) {
                if ("53300".equals(e.getSQLState())) {
                    refusals.incrementAndGet(); // too many clients: the pool retries, which is what makes a storm
                } else if (running) {
                    LOG.debugf("%s: %s", thread.getName(), e.getMessage());
                }
                pause();
            } catch (InterruptedException e) {
                running = false;
            } finally {
                connected = false;
            }
        }
    }

    private void pause() {
        try {
            Thread.sleep(RETRY_MS);
        } catch (InterruptedException e) {
            running = false;
        }
    }
}
