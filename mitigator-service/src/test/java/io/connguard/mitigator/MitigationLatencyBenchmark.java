package io.connguard.mitigator;

import io.connguard.events.ActionEvent;
import io.connguard.events.KafkaCloudEvents;
import io.connguard.events.Level;
import io.connguard.events.Outcome;
import io.connguard.events.Topics;
import io.connguard.infra.SharedInfra;
import io.connguard.infra.kafka.TopicTail;
import io.connguard.infra.kafka.TopicWriter;
import io.connguard.mitigator.policy.Pressure;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Time from a pressure event being sent to the mitigator's action starting (the adapter's {@code startedAt}), for a
 * flag patch, a query cancel and a scale call, with the raw Kafka round trip of the same broker as the baseline.
 * Not part of the build (JUnit tag {@code benchmark}, excluded by default); run it with
 * {@code ./mvnw -o -pl mitigator-service test -Dgroups=benchmark -Dtest=MitigationLatencyBenchmark
 * -Dsurefire.excludedGroups=none} (the benchmark tag also gives its targets database connections, see MitigatorTestInfra).
 */
@Tag("benchmark")
@QuarkusTest
@WithTestResource(value = MitigatorTestInfra.class, scope = TestResourceScope.GLOBAL)
class MitigationLatencyBenchmark {

    private static final int WARMUP = 10;
    private static final int RUNS = MitigatorTestInfra.BENCH_TARGETS - WARMUP;

    @Test
    void pressureEventToActionStarted() throws Exception {
        String echo = "connguard.bench.echo";
        SharedInfra.kafka().createTopic(echo, 1);
        List<Double> kafka;
        try (TopicTail tail = TopicTail.fromNow(SharedInfra.kafka().bootstrapServers(), echo);
                TopicWriter writer = new TopicWriter(SharedInfra.kafka().bootstrapServers())) {
            kafka = measure(i -> kafkaRoundTrip(tail, writer, echo));
        }
        List<Double> flag;
        List<Double> scale;
        List<Double> cancel;
        try (TopicTail actions = TopicTail.fromNow(SharedInfra.kafka().bootstrapServers(), Topics.ACTIONS);
                TopicWriter writer = new TopicWriter(SharedInfra.kafka().bootstrapServers())) {
            flag = measure(i -> action(actions, writer, "bench-flag-" + i, "pause-ingestion"));
            scale = measure(i -> action(actions, writer, "bench-scale-" + i, "scale-workload"));
            cancel = measure(i -> cancel(actions, writer, i));
        }
        System.out.println(
                "BENCHMARK pressure event -> action started (ms), " + RUNS + " runs after " + WARMUP + " warm-up");
        report("kafka round trip (baseline)", kafka, kafka);
        report("flag (ConfigMap merge patch)", flag, kafka);
        report("cancel (pg_cancel_backend)", cancel, kafka);
        report("scale (Deployment scale subresource)", scale, kafka);
    }

    private static List<Double> measure(Function<Integer, Double> run) {
        List<Double> samples = new ArrayList<>();
        for (int i = 0; i < WARMUP + RUNS; i++) {
            double ms = run.apply(i);
            if (i >= WARMUP) {
                samples.add(ms);
            }
        }
        return samples;
    }

    private static double kafkaRoundTrip(TopicTail tail, TopicWriter writer, String topic) {
        String key = Long.toString(System.nanoTime());
        long sent = System.nanoTime();
        writer.send(new ProducerRecord<>(topic, key, new byte[64]));
        tail.await(r -> key.equals(r.key()), Duration.ofSeconds(10), "echo " + key);
        return (System.nanoTime() - sent) / 1e6;
    }

    private static double action(TopicTail actions, TopicWriter writer, String target, String action) {
        try (Scenario s = new Scenario(target)) {
            s.withWorkloads();
        }
        return startedAfterSend(actions, writer, target, action);
    }

    private static double cancel(TopicTail actions, TopicWriter writer, int i) {
        try (Sessions sessions = new Sessions()) {
            sessions.longQuery("app_user", "bench-" + i);
            Thread.sleep(20); // let the statement start
            return startedAfterSend(actions, writer, "bench-cancel-db", "cancel-query");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // both instants come from this machine's clock: the send time here, startedAt in the service (same JVM)
    private static double startedAfterSend(TopicTail actions, TopicWriter writer, String target, String action) {
        String incident = "bench-" + System.nanoTime();
        long sentMicros = micros();
        writer.send(KafkaCloudEvents.toRecord(
                Topics.PRESSURE, Scenario.event(Pressure.sample(target, incident, Level.CRITICAL, 95))));
        ActionEvent started = Scenario.decode(actions.await(
                r -> {
                    if (!target.equals(r.key())) {
                        return false;
                    }
                    ActionEvent a = Scenario.decode(r);
                    return incident.equals(a.incidentId())
                            && a.action().equals(action)
                            && a.outcome() == Outcome.SUCCEEDED;
                },
                Duration.ofSeconds(20),
                action + " of " + target));
        long startedMicros = started.startedAt().getEpochSecond() * 1_000_000
                + started.startedAt().getNano() / 1000;
        return (startedMicros - sentMicros) / 1000.0;
    }

    private static long micros() {
        var now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
    }

    private static void report(String name, List<Double> samples, List<Double> baseline) {
        System.out.printf(
                Locale.ROOT,
                "BENCHMARK %-38s p50 %7.1f  p99 %7.1f  max %7.1f  p50/baseline %5.1fx%n",
                name,
                percentile(samples, 50),
                percentile(samples, 99),
                percentile(samples, 100),
                percentile(samples, 50) / percentile(baseline, 50));
    }

    private static double percentile(List<Double> samples, int p) {
        List<Double> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
    }
}
