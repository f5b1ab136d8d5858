package io.connguard.drill.workload;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A runaway backfill job: sessions running a statement that never finishes and sessions left idle in a transaction.
 * Like a real batch job, a session whose statement is cancelled or whose connection is terminated fails its chunk and
 * closes its connection; it does not reconnect. Threads: one per session, ended by {@link #close()}.
 */
public final class Backfill implements AutoCloseable {

    /** application_name of the backfill's sessions. */
    public static final String APPLICATION = "backfill";

    private final String jdbcUrl;
    private final String user;
    private final List<Thread> threads = new ArrayList<>();
    private final List<Connection> connections = new ArrayList<>();
    private final AtomicInteger cancelled = new AtomicInteger();
    private final AtomicInteger terminated = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();

    /**
     * Opens {@code longQueries} sessions that run an endless scan; returns once all of them run. The job's sessions
     * idle in a transaction come later, from {@link #leaveIdleInTransaction(int)}.
     */
    public static Backfill startScans(String jdbcUrl, String user, int longQueries)
            throws SQLException, InterruptedException {
        Backfill backfill = new Backfill(jdbcUrl, user);
        try {
            CountDownLatch running = new CountDownLatch(longQueries);
            for (int i = 0; i < longQueries; i++) {
                Connection c = backfill.connect();
                backfill.runOnThread("backfill-scan-" + i, () -> {
                    try (Statement s = c.createStatement()) {
                        running.countDown();
                        s.execute("SELECT count(*) FROM jobs, pg_sleep(3600)");
                    } catch (SQLException e) {
                        backfill.failed(e);
                    } finally {
                        closeQuietly(c);
                    }
                });
            }
            if (!running.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the backfill's scans did not start within 10 s");
            }
            return backfill;
        } catch (SQLException | InterruptedException | RuntimeException e) {
            backfill.close();
            throw e;
        }
    }

    /**
     * Opens up to {@code count} sessions that open a transaction, take a row lock and wait: the job "forgot" to commit,
     * so each sits idle in transaction, untouched, until terminated. Sessions the full server refuses are counted.
     */
    public void leaveIdleInTransaction(int count) throws SQLException {
        for (int i = 0; i < count; i++) {
            Connection c;
            try {
                c = connect();
            } catch (SQLException e) {
                if ("53300".equals(e.getSQLState())) {
                    refused.incrementAndGet(); // the server is full: the job runs with what it got
                    continue;
                }
                throw e;
            }
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("SELECT id FROM jobs ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED");
            }
        }
    }

    private Backfill(String jdbcUrl, String user) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
    }

    private Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("ApplicationName", APPLICATION);
        Connection c = DriverManager.getConnection(jdbcUrl, p);
        synchronized (connections) {
            connections.add(c);
        }
        return c;
    }

    private void runOnThread(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    private void failed(SQLException e) {
        // 57014: canceled on user request (pg_cancel_backend); anything else: 57P01 terminated, or I/O
        if ("57014".equals(e.getSQLState())) {
            cancelled.incrementAndGet();
        } else {
            terminated.incrementAndGet();
        }
    }

    /** Statements that were cancelled (the session then gave up and disconnected). */
    public int cancelled() {
        return cancelled.get();
    }

    /** Scans whose connection was terminated (idle-in-transaction sessions show up in pg_stat_activity only). */
    public int terminated() {
        return terminated.get();
    }

    /** Idle-in-transaction sessions the server refused ("too many clients") when the job started. */
    public int refused() {
        return refused.get();
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // already gone: terminated by the server
        }
    }

    @Override
    public void close() {
        synchronized (connections) {
            connections.forEach(Backfill::closeQuietly);
        }
        threads.forEach(Thread::interrupt);
    }
}
