package io.connguard.detector;

import static io.connguard.detector.DetectorTestInfra.APP_ROLE;
import static io.connguard.detector.DetectorTestInfra.SPARE;
import static io.connguard.detector.DetectorTestInfra.TARGET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connguard.events.CloudEvent;
import io.connguard.events.Level;
import io.connguard.events.PressureChanged;
import io.connguard.events.SessionInfo;
import io.connguard.infra.pgbouncer.PgBouncer;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Exhaustion, evidence, probe failure and pooler queueing against the real cluster, PgBouncer and Kafka. */
@QuarkusTest
@WithTestResource(value = DetectorTestInfra.class, scope = TestResourceScope.GLOBAL)
class DetectionScenariosTest {

    private static final String TOO_MANY_CONNECTIONS = "53300";

    private final List<Connection> held = new ArrayList<>();
    private final ExecutorService background = Executors.newCachedThreadPool();

    @AfterEach
    void release() throws SQLException {
        closeAll();
        background.shutdownNow();
    }

    @Test
    void aFullServerIsCriticalWhileOrdinaryClientsAreRefusedAndTheDetectorKeepsSampling() throws Exception {
        try (PressureEvents events = new PressureEvents()) {
            SQLException refused = null;
            while (refused == null && held.size() <= DetectorTestInfra.MAX_CONNECTIONS) {
                try {
                    held.add(connect(APP_ROLE));
                } catch (SQLException e) {
                    refused = e;
                }
            }
            assertThat(refused == null ? null : refused.getSQLState())
                    .as("an ordinary client is refused")
                    .isEqualTo(TOO_MANY_CONNECTIONS);

            CloudEvent<PressureChanged> critical =
                    events.await(TARGET, p -> p.level() == Level.CRITICAL && p.levelChanged(), "CRITICAL");
            assertThat(critical.data().reason()).isEqualTo("ratio_above_critical");
            assertThat(critical.data().ratio()).isGreaterThanOrEqualTo(1.0);
            assertThat(critical.data().topClients().get(0).user()).isEqualTo(APP_ROLE);
            assertThat(critical.data().topClients().get(0).shareOfCapacity()).isGreaterThan(0.8);

            // the probe loses its connection on the full server: it reconnects into a superuser-reserved slot
            Instant terminated;
            try (Connection admin = connect(DetectorTestInfra.target().superuser());
                    Statement statement = admin.createStatement()) {
                statement.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        + " WHERE application_name = 'connguard-detector' AND usename = 'postgres'");
                terminated = Instant.now();
            }
            CloudEvent<PressureChanged> stillSampling = events.await(
                    TARGET,
                    p -> p.sampledAt().isAfter(terminated.plusMillis(500)) && p.connections() != null,
                    "a fresh sample of the full server");
            assertThat(stillSampling.data().level()).isEqualTo(Level.CRITICAL);
            assertThat(stillSampling.data().ratio()).isGreaterThanOrEqualTo(1.0);
            assertThat(stillSampling.data().incidentId())
                    .isEqualTo(critical.data().incidentId());
            assertThatThrownBy(() -> connect(APP_ROLE))
                    .isInstanceOfSatisfying(
                            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo(TOO_MANY_CONNECTIONS));

            closeAll();
            events.await(TARGET, p -> p.level() == Level.OK && p.levelChanged(), "OK");
            CloudEvent<PressureChanged> resolved =
                    events.await(TARGET, p -> "incident_resolved".equals(p.reason()), "incident_resolved");
            assertThat(resolved.data().incidentId()).isEqualTo(critical.data().incidentId());
        }
    }

    @Test
    void idleTransactionsLongQueriesAndLockChainsAppearWithRedactedText() throws Exception {
        try (PressureEvents events = new PressureEvents()) {
            // one session holds a row lock and idles in its transaction, one waits for that lock, one runs long
            Connection holder = connect(APP_ROLE);
            held.add(holder);
            holder.setAutoCommit(false);
            int holderPid = pid(holder);
            holder.createStatement().executeUpdate("UPDATE accounts SET owner = 'secret-owner' WHERE id = 1");
            Connection waiter = connect(APP_ROLE);
            held.add(waiter);
            int waiterPid = pid(waiter);
            Future<?> waiting = background.submit(() -> update(waiter, "UPDATE accounts SET balance = 0 WHERE id = 1"));
            Connection sleeper = connect(APP_ROLE);
            held.add(sleeper);
            int sleeperPid = pid(sleeper);
            background.submit(() -> update(sleeper, "SELECT pg_sleep(60), 'hunter2'"));
            // push the target to ELEVATED with idle sessions: an incident, whose resolution ends the test cleanly
            for (int i = 0; i < 10; i++) {
                held.add(connect(DetectorTestInfra.target().superuser()));
            }

            CloudEvent<PressureChanged> event = events.await(
                    TARGET,
                    p -> p.level() == Level.ELEVATED
                            && !p.blocked().isEmpty()
                            && p.longestQueries().stream().anyMatch(s -> s.pid() == sleeperPid)
                            && p.idleInTransaction() != null
                            && p.idleInTransaction().count() >= 1,
                    "an ELEVATED event with the blocked chain, the long query and the idle transaction");
            PressureChanged p = event.data();

            assertThat(p.blocked()).anySatisfy(b -> {
                assertThat(b.pid()).isEqualTo(waiterPid);
                assertThat(b.blockedBy()).containsExactly(holderPid);
            });
            assertThat(p.connections().lockWaiters()).isGreaterThanOrEqualTo(1);
            SessionInfo sleeping = session(p.longestQueries(), sleeperPid);
            assertThat(sleeping.query()).isEqualTo("SELECT pg_sleep($1), $2");
            assertThat(sleeping.queryFingerprint()).hasSize(16);
            assertThat(sleeping.user()).isEqualTo(APP_ROLE);
            assertThat(sleeping.state()).isEqualTo("active");
            assertThat(sleeping.queryDurationMs()).isNotNull();
            SessionInfo idle = session(p.oldestTransactions(), holderPid);
            assertThat(idle.state()).isEqualTo("idle in transaction");
            assertThat(idle.query()).isEqualTo("UPDATE accounts SET owner = $1 WHERE id = $2");
            assertThat(idle.transactionDurationMs()).isNotNull();
            SessionInfo blocked = session(p.longestQueries(), waiterPid);
            assertThat(blocked.waitEventType()).isEqualTo("Lock");
            assertThat(blocked.query()).isEqualTo("UPDATE accounts SET balance = $1 WHERE id = $2");
            assertThat(p.idleInTransaction().oldestAgeMs()).isNotNull();
            assertThat(p.toString()).doesNotContain("hunter2").doesNotContain("secret-owner");

            try (Statement cancel = holder.createStatement()) {
                holder.rollback();
                cancel.execute("SELECT pg_cancel_backend(" + sleeperPid + ")");
            }
            waiting.get(10, TimeUnit.SECONDS);
            closeAll();
            events.await(TARGET, e -> "incident_resolved".equals(e.reason()), "incident_resolved");
        }
    }

    @Test
    void aTargetThatCannotBeReachedIsUnknownAndRecovers() throws Exception {
        try (PressureEvents events = new PressureEvents()) {
            CloudEvent<PressureChanged> unknown =
                    events.await(SPARE, p -> p.level() == Level.UNKNOWN, "UNKNOWN while nothing listens");
            assertThat(unknown.data().reason()).isIn("probe_failed", "periodic");
            assertThat(unknown.data().error()).isNotBlank();
            assertThat(unknown.data().connections()).isNull();

            try (PgBouncer endpoint = DetectorTestInfra.startSpareEndpoint()) {
                CloudEvent<PressureChanged> recovered =
                        events.await(SPARE, p -> p.level() == Level.OK && p.levelChanged(), "recovery to OK");
                assertThat(recovered.data().previousLevel()).isEqualTo(Level.UNKNOWN);
                assertThat(recovered.data().capacity().maxConnections()).isEqualTo(DetectorTestInfra.MAX_CONNECTIONS);
            }
            CloudEvent<PressureChanged> stopped =
                    events.await(SPARE, p -> p.level() == Level.UNKNOWN && p.levelChanged(), "UNKNOWN after stop");
            assertThat(stopped.data().previousLevel()).isEqualTo(Level.OK);
            assertThat(stopped.data().error()).isNotBlank();
        }
    }

    @Test
    void poolerClientsQueuedTooLongAreCritical() throws Exception {
        PgBouncer pooler = DetectorTestInfra.pooler();
        try (PressureEvents events = new PressureEvents()) {
            // session pooling: two clients that ran a query keep the pool's two server connections
            for (int i = 0; i < DetectorTestInfra.POOL_SIZE; i++) {
                Connection client = DriverManager.getConnection(pooler.jdbcUrl("postgres"), APP_ROLE, "");
                held.add(client);
                update(client, "SELECT 1");
            }
            // a third client queues already at login: PgBouncer has no server connection to give it
            Future<Connection> served = background.submit(() -> {
                Connection queued = DriverManager.getConnection(pooler.jdbcUrl("postgres"), APP_ROLE, "");
                update(queued, "SELECT 1");
                return queued;
            });

            CloudEvent<PressureChanged> critical =
                    events.await(TARGET, p -> p.level() == Level.CRITICAL && p.levelChanged(), "CRITICAL");
            assertThat(critical.data().reason()).isEqualTo("pooler_waiting");
            assertThat(critical.data().pooler().clientsWaiting()).isEqualTo(1);
            assertThat(critical.data().pooler().maxWaitMs()).isGreaterThan(1_000L);
            assertThat(critical.data().pooler().serverConnections())
                    .isGreaterThanOrEqualTo(DetectorTestInfra.POOL_SIZE);

            held.remove(0).close();
            held.add(served.get(10, TimeUnit.SECONDS));
            CloudEvent<PressureChanged> ok = events.await(TARGET, p -> p.level() == Level.OK && p.levelChanged(), "OK");
            assertThat(ok.data().pooler().clientsWaiting()).isZero();
            events.await(TARGET, p -> "incident_resolved".equals(p.reason()), "incident_resolved");
        }
    }

    private static SessionInfo session(List<SessionInfo> sessions, int pid) {
        return sessions.stream()
                .filter(s -> s.pid() == pid)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no session " + pid + " in " + sessions));
    }

    private static Connection connect(String user) throws SQLException {
        return DriverManager.getConnection(DetectorTestInfra.target().jdbcUrl(), user, "");
    }

    private static int pid(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT pg_backend_pid()")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private static Void update(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
        return null;
    }

    private void closeAll() throws SQLException {
        for (Connection c : held) {
            c.close();
        }
        held.clear();
    }
}
