package io.connguard.audit.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.connguard.audit.Api;
import io.connguard.audit.AuditTestInfra;
import io.connguard.audit.IncidentScenario;
import io.connguard.events.Capacity;
import io.connguard.events.ClientShare;
import io.connguard.events.CloudEvent;
import io.connguard.events.Connections;
import io.connguard.events.EventType;
import io.connguard.events.KafkaCloudEvents;
import io.connguard.events.Level;
import io.connguard.events.PressureChanged;
import io.connguard.infra.SharedInfra;
import io.connguard.infra.kafka.TopicWriter;
import io.connguard.infra.postgres.PostgresServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * The audit benchmark (not part of the default test run):
 *
 * <pre>./mvnw -B -o -pl audit-service verify -Dgroups=benchmark [-Dbench.events=100000] [-Dbench.filler=10000000]</pre>
 *
 * <ol>
 *   <li>Ingest rate: the same realistic events (90 % pressure samples with top clients, 10 % actions, 200-event
 *       incidents over 50 targets) once through a plain {@code COPY} into the event table and once from Kafka through
 *       the service, in the same run, same table, same
 *       triggers (chain, projection). COPY runs before and after the Kafka ingest.
 *   <li>Timeline latency: 10 million filler rows generated server-side, then a 200-event incident through Kafka, then
 *       its timeline query p50/p99 in the database (EXPLAIN ANALYZE execution time), over JDBC, and over HTTP.
 * </ol>
 *
 * Results go to stdout and {@code target/benchmark-results.md}.
 */
@QuarkusTest
@Tag("benchmark")
@WithTestResource(value = AuditTestInfra.class, scope = TestResourceScope.GLOBAL)
class AuditBenchmarkTest {

    private static final int EVENTS = Integer.getInteger("bench.events", 100_000);
    private static final int FILLER = Integer.getInteger("bench.filler", 10_000_000);
    private static final int TARGETS = 50;
    private static final String COLUMNS =
            "event_id, source, type, subject, time, incident_id, data, kafka_topic, kafka_partition, kafka_offset";
    private static final String TIMELINE_SQL = """
            SELECT seq, event_id, source, type, subject, time, incident_id, data::text,
                   kafka_topic, kafka_partition, kafka_offset, stored_at, chain_position, encode(chain_hash, 'hex')
            FROM event WHERE incident_id = ? ORDER BY time, seq LIMIT 50000
            """;

    @TestHTTPResource("/")
    URL root;

    @Inject
    MeterRegistry registry;

    private final StringBuilder report = new StringBuilder();

    @Test
    void ingestRateAgainstCopyAndTimelineLatencyAmongTenMillionEvents() throws Exception {
        line(
                "Machine: %d cores (nproc), %s; %s",
                Runtime.getRuntime().availableProcessors(), cpuModel(), Instant.now());
        line("");
        ingestAgainstCopy();
        timelineLatency();
        Path out = Path.of("target", "benchmark-results.md");
        Files.writeString(out, report);
        System.out.println("\n==== benchmark results (" + out + ") ====\n" + report);
    }

    private void ingestAgainstCopy() throws Exception {
        // letters only: the service subscribes to connguard\.[a-z-]+
        String run = UUID.randomUUID().toString().substring(0, 6).replaceAll("[0-9]", "x");
        List<CloudEvent<?>> kafkaEvents = events("bench-kafka-" + run);
        List<CloudEvent<?>> copyEvents1 = events("bench-copy1-" + run);
        List<CloudEvent<?>> copyEvents2 = events("bench-copy2-" + run);
        String topic = "connguard.bench-" + run;

        double copy1 = copy(copyEvents1, topic);
        progress("COPY #1: %d rows in %.2f s", EVENTS, copy1);

        // counter() registers the service's counter if the ingest bean has not yet (it is created on first use)
        var storedCounter = registry.counter("connguard.audit.events.stored");
        double storedBefore = storedCounter.count();
        // the service picks the new topic up at its next metadata refresh (every 5 s): usually after the topic is
        // full, so it ingests a backlog; the rate is measured over the stored_at span of the rows
        SharedInfra.kafka().createTopic(topic, 4);
        long producing = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = Api.batchingProducer()) {
            for (CloudEvent<?> event : kafkaEvents) {
                producer.send(KafkaCloudEvents.toRecord(topic, event), (m, e) -> {
                    if (e != null) {
                        throw new IllegalStateException("cannot send", e);
                    }
                });
            }
            producer.flush();
        }
        Instant produced = Instant.now();
        progress("produced %d events in %.2f s", EVENTS, (System.nanoTime() - producing) / 1e9);
        // waits on the service's own counter: polling count(*) over the table every 100 ms would scan it on the
        // same 2 cores the ingest runs on, and slow down what is measured
        while (storedCounter.count() < storedBefore + EVENTS) {
            Thread.sleep(100);
        }
        try (Connection check = connect(AuditTestInfra.database())) {
            long rows = single(check, "SELECT count(*) FROM event WHERE subject LIKE 'bench-kafka-" + run + "-t%'");
            if (rows != EVENTS) {
                throw new IllegalStateException("expected " + EVENTS + " stored Kafka events, found " + rows);
            }
        }
        var batches = registry.find("connguard.audit.ingest.batch.size").summary();
        var writes = registry.find("connguard.audit.ingest.write").timer();
        String batching = String.format(
                Locale.ROOT,
                "%d batches, mean %.0f records, mean write %.1f ms",
                batches.count(),
                batches.mean(),
                writes.mean(java.util.concurrent.TimeUnit.MILLISECONDS));
        progress("%s", batching);
        double[] span = storedAtSpan("bench-kafka-" + run, produced);
        double kafka = span[0];
        progress(
                "Kafka ingest: %d rows in %.2f s (first row stored %.2f s after the producer finished)",
                EVENTS, kafka, span[1]);

        double copy2 = copy(copyEvents2, topic);
        progress("COPY #2: %d rows in %.2f s", EVENTS, copy2);

        double copyRate = EVENTS / ((copy1 + copy2) / 2);
        double kafkaRate = EVENTS / kafka;
        line(
                "### Ingest: %,d events (%.0f %% pressure samples with 3 top clients, 200-event incidents, %d targets)",
                EVENTS, 90.0, TARGETS);
        line("");
        line("| path | seconds | events/s | vs COPY |");
        line("| --- | --- | --- | --- |");
        line("| `COPY` into `event` (before) | %.2f | %,.0f | |", copy1, EVENTS / copy1);
        line("| `COPY` into `event` (after) | %.2f | %,.0f | |", copy2, EVENTS / copy2);
        line(
                "| Kafka -> audit-service -> `event` | %.2f | %,.0f | **%.0f %%** of the mean COPY rate |",
                kafka, kafkaRate, 100 * kafkaRate / copyRate);
        line("");
        line(
                "Kafka ingest measured from the first to the last `stored_at` (transaction start) of its rows; the"
                        + " first row was stored %.2f s after the producer had finished (negative: ingest overlapped"
                        + " production, the rate is then a lower bound).",
                span[1]);
        line("");
    }

    private void timelineLatency() throws Exception {
        PostgresServer db = AuditTestInfra.database();
        long existing = filler(db);
        IncidentScenario incident = new IncidentScenario("bench-timeline", Instant.parse("2026-06-01T12:00:00Z"), 187);
        assertThat(incident.events).hasSize(200);
        try (TopicWriter writer = new TopicWriter(SharedInfra.kafka().bootstrapServers())) {
            incident.publish(writer);
        }
        try (Connection c = connect(db)) {
            long total;
            do {
                Thread.sleep(200);
                total = single(c, "SELECT count(*) FROM event WHERE incident_id = '" + incident.incidentId + "'");
            } while (total < 200);
            exec(c, "ANALYZE event");
            long rows = single(c, "SELECT count(*) FROM event");
            progress("event table: %,d rows (%,d filler)", rows, existing);

            double[] server = new double[1000];
            try (PreparedStatement explain = c.prepareStatement("EXPLAIN (ANALYZE, BUFFERS) " + TIMELINE_SQL)) {
                explain.setString(1, incident.incidentId);
                for (int i = -200; i < server.length; i++) {
                    double ms = executionTime(explain);
                    if (i >= 0) {
                        server[i] = ms;
                    }
                }
            }
            double[] jdbc = new double[2000];
            try (PreparedStatement query = c.prepareStatement(TIMELINE_SQL)) {
                query.setString(1, incident.incidentId);
                for (int i = -500; i < jdbc.length; i++) {
                    long t = System.nanoTime();
                    int n = 0;
                    try (ResultSet r = query.executeQuery()) {
                        while (r.next()) {
                            r.getString(8);
                            n++;
                        }
                    }
                    if (i >= 0) {
                        jdbc[i] = (System.nanoTime() - t) / 1e6;
                    }
                    assertThat(n).isEqualTo(200);
                }
            }
            double[] http = new double[2000];
            HttpClient client = HttpClient.newHttpClient();
            HttpRequest request = HttpRequest.newBuilder(
                            URI.create(root + "api/incidents/" + incident.incidentId + "/timeline"))
                    .build();
            for (int i = -500; i < http.length; i++) {
                long t = System.nanoTime();
                HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                if (i >= 0) {
                    http[i] = (System.nanoTime() - t) / 1e6;
                }
                assertThat(response.statusCode()).isEqualTo(200);
            }
            line("### Timeline of a 200-event incident among %,d stored events", rows);
            line("");
            line("| measured | p50 ms | p99 ms | target p99 |");
            line("| --- | --- | --- | --- |");
            line(
                    "| in the database (`EXPLAIN ANALYZE` execution time, %d runs) | %.3f | %.3f | <= 10 ms |",
                    server.length, p(server, 50), p(server, 99));
            line(
                    "| JDBC round trip, 200 rows decoded (%d runs) | %.3f | %.3f | |",
                    jdbc.length, p(jdbc, 50), p(jdbc, 99));
            line(
                    "| HTTP `GET /api/incidents/{id}/timeline` (%d runs, %,d bytes) | %.3f | %.3f | <= 50 ms |",
                    http.length,
                    client.send(request, HttpResponse.BodyHandlers.ofByteArray())
                            .body()
                            .length,
                    p(http, 50),
                    p(http, 99));
            line("");
            try (PreparedStatement explain = c.prepareStatement("EXPLAIN " + TIMELINE_SQL)) {
                explain.setString(1, incident.incidentId);
                try (ResultSet r = explain.executeQuery()) {
                    line("Plan:");
                    line("");
                    line("```");
                    while (r.next()) {
                        line("%s", r.getString(1));
                    }
                    line("```");
                }
            }
        }
    }

    // filler: small pressure-like rows spread over 1000 subjects and 200-row incidents, inserted without the row
    // triggers (chain fields are generated directly); they only have to make the table and its indexes big
    private long filler(PostgresServer db) throws SQLException {
        try (Connection c = connect(db)) {
            long have = single(c, "SELECT count(*) FROM event WHERE source = 'urn:bench:filler'");
            exec(c, "SET session_replication_role = replica");
            long chunk = 1_000_000;
            for (long from = have; from < FILLER; from += chunk) {
                long to = Math.min(FILLER, from + chunk) - 1;
                long t = System.nanoTime();
                exec(
                        c,
                        "INSERT INTO event (" + COLUMNS + ", chain_position, chain_hash)"
                                + " SELECT 'filler-' || g, 'urn:bench:filler', 'io.connguard.pressure.changed.v1',"
                                + " 'filler-' || (g % 1000), timestamptz '2025-01-01' + g * interval '10 ms',"
                                + " 'filler-inc-' || (g / 200),"
                                + " jsonb_build_object('targetId', 'filler-' || (g % 1000), 'level', 'ELEVATED',"
                                + " 'ratio', 0.85, 'reason', 'periodic', 'connections', jsonb_build_object('total', 83),"
                                + " 'capacity', jsonb_build_object('usable', 97)),"
                                + " 'connguard.pressure', 0, g, g / 1000 + 1, sha256(int8send(g))"
                                + " FROM generate_series(" + from + ", " + to + ") g");
                progress(
                        "filler: %,d / %,d rows (%.1f s for this million)",
                        to + 1, FILLER, (System.nanoTime() - t) / 1e9);
            }
            exec(c, "SET session_replication_role = origin");
            return single(c, "SELECT count(*) FROM event WHERE source = 'urn:bench:filler'");
        }
    }

    private double copy(List<CloudEvent<?>> events, String topic) throws Exception {
        StringBuilder csv = new StringBuilder(EVENTS * 800);
        long offset = 0;
        for (CloudEvent<?> e : events) {
            String incident = incidentOf(e);
            csv.append(e.id())
                    .append(',')
                    .append(e.source())
                    .append(',')
                    .append(e.type())
                    .append(',')
                    .append(e.subject())
                    .append(',')
                    .append(DateTimeFormatter.ISO_INSTANT.format(e.time()))
                    .append(',')
                    .append(incident == null ? "" : incident)
                    .append(',')
                    .append('"')
                    .append(new String(KafkaCloudEvents.data(e), StandardCharsets.UTF_8).replace("\"", "\"\""))
                    .append('"')
                    .append(',')
                    .append(topic)
                    .append(",0,")
                    .append(offset++)
                    .append('\n');
        }
        try (Connection c = connect(AuditTestInfra.database())) {
            long t = System.nanoTime();
            c.unwrap(PGConnection.class)
                    .getCopyAPI()
                    .copyIn("COPY event (" + COLUMNS + ") FROM STDIN (FORMAT csv)", new StringReader(csv.toString()));
            return (System.nanoTime() - t) / 1e9;
        }
    }

    private static String incidentOf(CloudEvent<?> e) {
        if (e.data() instanceof PressureChanged p) {
            return p.incidentId();
        }
        if (e.data() instanceof io.connguard.events.ActionEvent a) {
            return a.incidentId();
        }
        return null;
    }

    /** EVENTS events over TARGETS targets, in 200-event incidents: 9 pressure samples, then an action. */
    private static List<CloudEvent<?>> events(String prefix) {
        List<CloudEvent<?>> events = new ArrayList<>(EVENTS);
        Instant start = Instant.parse("2026-06-01T00:00:00Z");
        Capacity capacity = Capacity.of(100, 3, 0);
        CloudEvent<PressureChanged> lastPressure = null;
        for (int i = 0; i < EVENTS; i++) {
            String target = prefix + "-t" + (i % TARGETS);
            int n = i / TARGETS;
            String incident = target + "-inc" + (n / 200);
            Instant at = start.plusMillis(i * 20L);
            if (i % 10 == 9 && lastPressure != null) {
                events.add(action(target, incident, lastPressure, at, n));
                continue;
            }
            int total = 80 + n % 17;
            PressureChanged data = new PressureChanged(
                    target,
                    incident,
                    total >= 92 ? Level.CRITICAL : Level.ELEVATED,
                    Level.ELEVATED,
                    false,
                    "periodic",
                    at,
                    1.7,
                    capacity,
                    new Connections(total, total - 20, 15, 5, 0, 0, 1, 5, 0),
                    total / 97.0,
                    List.of(
                            new ClientShare("etl-worker", "etl", "10.0.4.17", total / 2, total / 2 / 97.0),
                            new ClientShare("api", "app", "10.0.2.5", total / 3, total / 3 / 97.0),
                            new ClientShare("nightly-report", "reporting", null, 5, 5 / 97.0)),
                    List.of(),
                    List.of(),
                    null,
                    List.of(),
                    null,
                    null);
            lastPressure = new CloudEvent<>(
                    UUID.randomUUID().toString(),
                    URI.create("urn:connguard:detector:bench"),
                    EventType.PRESSURE_CHANGED.type(),
                    target,
                    at,
                    data);
            events.add(lastPressure);
        }
        return events;
    }

    private static CloudEvent<?> action(
            String target, String incident, CloudEvent<PressureChanged> cause, Instant at, int n) {
        var data = new io.connguard.events.ActionEvent(
                "act-" + incident + "-" + n,
                target,
                incident,
                cause.id(),
                "cancel-long-queries",
                "cancel-query",
                io.connguard.events.Mode.ENFORCE,
                io.connguard.events.Outcome.SUCCEEDED,
                new io.connguard.events.Command(
                        "postgres", "SELECT pg_cancel_backend(" + (40000 + n) + ")", Integer.toString(40000 + n)),
                null,
                null,
                null,
                "longest query held 12 s",
                null,
                at,
                at.plusMillis(3),
                3L);
        return new CloudEvent<>(
                UUID.randomUUID().toString(),
                URI.create("urn:connguard:mitigator:bench"),
                EventType.ACTION.type(),
                target,
                at,
                data);
    }

    // {seconds from the first to the last stored_at, seconds from `after` to the first stored_at}
    private static double[] storedAtSpan(String subjectPrefix, Instant after) throws SQLException {
        try (Connection c = connect(AuditTestInfra.database());
                PreparedStatement q = c.prepareStatement("SELECT extract(epoch FROM max(stored_at) - min(stored_at)),"
                        + " extract(epoch FROM min(stored_at) - ?::timestamptz)"
                        + " FROM event WHERE subject LIKE '" + subjectPrefix + "-t%'")) {
            q.setString(1, after.toString());
            try (ResultSet r = q.executeQuery()) {
                r.next();
                return new double[] {r.getDouble(1), r.getDouble(2)};
            }
        }
    }

    private static double executionTime(PreparedStatement explain) throws SQLException {
        try (ResultSet r = explain.executeQuery()) {
            while (r.next()) {
                String line = r.getString(1).trim();
                if (line.startsWith("Execution Time:")) {
                    return Double.parseDouble(line.replaceAll("[^0-9.]", ""));
                }
            }
        }
        throw new IllegalStateException("no execution time in the plan");
    }

    private static double p(double[] values, int percentile) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, index)];
    }

    private static Connection connect(PostgresServer db) throws SQLException {
        return DriverManager.getConnection(db.jdbcUrl("audit"), db.superuser(), db.password());
    }

    private static long single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String cpuModel() throws Exception {
        return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim())
                .findFirst()
                .orElse("unknown CPU");
    }

    private void line(String format, Object... args) {
        report.append(String.format(Locale.ROOT, format, args)).append('\n');
    }

    private static void progress(String format, Object... args) {
        System.out.printf(Locale.ROOT, "[bench] " + format + "%n", args);
    }
}
