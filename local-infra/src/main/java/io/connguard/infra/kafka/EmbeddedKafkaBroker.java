package io.connguard.infra.kafka;

import io.connguard.infra.FreePorts;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.jboss.logging.Logger;

/**
 * A real Apache Kafka broker running inside this JVM: one KRaft node that is both broker and controller.
 *
 * <p>{@link #start()} formats a fresh temporary log directory with a random cluster id, starts
 * {@code KafkaRaftServer} on two free loopback ports (PLAINTEXT for clients, CONTROLLER for the quorum) and
 * returns once the broker is unfenced and answers clients. {@link #close()} shuts it down cleanly and deletes
 * the directory; a JVM shutdown hook does the same if nobody closes it. Internal topics use replication
 * factor 1 and group rebalances start without delay, so a single node behaves like a small real cluster.
 *
 * <p>{@link #startWithScram(String, String)} starts a broker whose only client listener requires SASL/SCRAM-SHA-512
 * (SASL_PLAINTEXT; the user is created when the directory is formatted, and the broker authenticates to itself as
 * that user too): a client without those credentials is refused. {@link #clientProperties()} holds what a client
 * needs besides {@code bootstrap.servers}; the controller listener stays PLAINTEXT and is not advertised.
 *
 * <p>An outage for tests: {@link #stop()} shuts the broker down cleanly but keeps its directory and ports, so
 * clients see connections refused, as when a real broker goes away; {@link #restart()} starts it again on the
 * same ports from the same directory (same cluster id, no new format), so records written before the stop are
 * still there and clients that retried meanwhile reconnect without being told anything. Stop, restart and close
 * are serialized; a closed broker cannot be restarted.
 */
public final class EmbeddedKafkaBroker implements KafkaBroker {

    private static final Logger LOG = Logger.getLogger(EmbeddedKafkaBroker.class);
    private static final int NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final int START_ATTEMPTS = 3;
    /** How long a restart keeps trying to bind its old ports, e.g. while a client's socket briefly holds one. */
    private static final Duration REBIND_TIMEOUT = Duration.ofSeconds(10);

    private final Map<String, String> properties;
    private final Path directory;
    private final String bootstrapServers;
    private final Map<String, String> clientProperties;
    private final Thread shutdownHook;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The running server; null while stopped. Guarded by this. */
    private KafkaRaftServer server;

    private EmbeddedKafkaBroker(
            KafkaRaftServer server,
            Map<String, String> properties,
            Path directory,
            String bootstrapServers,
            Map<String, String> clientProperties) {
        this.server = server;
        this.properties = Map.copyOf(properties);
        this.directory = directory;
        this.bootstrapServers = bootstrapServers;
        this.clientProperties = Map.copyOf(clientProperties);
        this.shutdownHook = new Thread(this::shutdown, "connguard-kafka-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts a broker and waits until it serves clients; retries with new ports if one was taken meanwhile. */
    public static EmbeddedKafkaBroker start() {
        return start(null);
    }

    /**
     * Starts a broker that serves only clients authenticated by SASL/SCRAM-SHA-512 as {@code user} with
     * {@code password} (neither may contain a double quote, a comma or a bracket); see {@link #clientProperties()}.
     */
    public static EmbeddedKafkaBroker startWithScram(String user, String password) {
        return start(new Scram(user, password));
    }

    private static EmbeddedKafkaBroker start(Scram scram) {
        EmbeddedBrokerEnvironment.apply();
        long started = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            try {
                EmbeddedKafkaBroker broker = startOnce(scram);
                LOG.infof(
                        "Embedded Kafka broker ready at %s in %d ms",
                        broker.bootstrapServers, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                return broker;
            } catch (RuntimeException e) {
                if (attempt >= START_ATTEMPTS || !FreePorts.isBindFailure(e)) {
                    throw e;
                }
                LOG.warnf("A port of the embedded Kafka broker was taken during start (%s); retrying", e.getMessage());
            }
        }
    }

    private static EmbeddedKafkaBroker startOnce(Scram scram) {
        Path directory = createDirectory();
        int brokerPort = FreePorts.pick();
        int controllerPort = FreePorts.pick();
        KafkaRaftServer server = null;
        try {
            Map<String, String> properties = brokerProperties(directory, brokerPort, controllerPort);
            Map<String, String> clientProperties = Map.of();
            if (scram != null) {
                scram.secure(properties, brokerPort, controllerPort);
                clientProperties = scram.clientProperties();
            }
            KafkaConfig config = new KafkaConfig(properties, false);
            format(config, directory, scram);
            server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            String bootstrapServers = "127.0.0.1:" + brokerPort;
            awaitServing(bootstrapServers, clientProperties);
            return new EmbeddedKafkaBroker(server, properties, directory, bootstrapServers, clientProperties);
        } catch (RuntimeException e) {
            stopQuietly(server);
            deleteQuietly(directory);
            throw e;
        }
    }

    static Map<String, String> brokerProperties(Path directory, int brokerPort, int controllerPort) {
        Map<String, String> props = new HashMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", String.valueOf(NODE_ID));
        props.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put(
                "listeners",
                "PLAINTEXT://127.0.0.1:" + brokerPort + "," + CONTROLLER_LISTENER + "://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", directory.toString());
        props.put("metadata.log.dir", directory.toString());
        // a single node: every internal topic must be satisfiable by one replica
        props.put("offsets.topic.replication.factor", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("default.replication.factor", "1");
        // internal topics default to 50 partitions, which costs seconds on the first group join on 2 cores
        props.put("offsets.topic.num.partitions", "1");
        props.put("transaction.state.log.num.partitions", "1");
        props.put("share.coordinator.state.topic.num.partitions", "1");
        // tests join a group and expect records at once, not after the default 3 s grace period
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("auto.create.topics.enable", "true");
        props.put("num.partitions", "1");
        // the cleaner reserves 128 MiB of heap by default; test topics are tiny
        props.put("log.cleaner.dedupe.buffer.size", String.valueOf(4 * 1024 * 1024));
        return props;
    }

    /** The SCRAM user of a broker that requires SASL, and what it changes in the broker's and clients' settings. */
    private record Scram(String user, String password) {

        private static final String LISTENER = "SASL_PLAINTEXT";
        private static final String MECHANISM = "SCRAM-SHA-512";

        Scram {
            for (String value : new String[] {user, password}) {
                if (value == null || value.isEmpty() || value.matches(".*[\",\\[\\]].*")) {
                    throw new IllegalArgumentException(
                            "a SCRAM user and password must be non-empty without '\"', ',', '[' or ']'");
                }
            }
        }

        void secure(Map<String, String> props, int brokerPort, int controllerPort) {
            props.put(
                    "listeners",
                    LISTENER + "://127.0.0.1:" + brokerPort + "," + CONTROLLER_LISTENER + "://127.0.0.1:"
                            + controllerPort);
            props.put("advertised.listeners", LISTENER + "://127.0.0.1:" + brokerPort);
            props.put(
                    "listener.security.protocol.map",
                    LISTENER + ":SASL_PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
            props.put("inter.broker.listener.name", LISTENER);
            props.put("sasl.enabled.mechanisms", MECHANISM);
            props.put("sasl.mechanism.inter.broker.protocol", MECHANISM);
            // the listener's login module: the broker's own client side when it talks to itself
            props.put(
                    "listener.name." + LISTENER.toLowerCase(Locale.ROOT) + "." + MECHANISM.toLowerCase(Locale.ROOT)
                            + ".sasl.jaas.config",
                    jaasConfig());
        }

        Map<String, String> clientProperties() {
            return Map.of(
                    "security.protocol",
                    "SASL_PLAINTEXT",
                    "sasl.mechanism",
                    MECHANISM,
                    "sasl.jaas.config",
                    jaasConfig());
        }

        String formatArgument() {
            return MECHANISM + "=[name=" + user + ",password=" + password + "]";
        }

        private String jaasConfig() {
            return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                    + "\" password=\"" + password + "\";";
        }
    }

    private static void format(KafkaConfig config, Path directory, Scram scram) {
        Formatter formatter = new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8))
                .setNodeId(NODE_ID)
                .setClusterId(Uuid.randomUuid().toString())
                .addDirectory(directory.toString())
                .setMetadataLogDirectory(config.metadataLogDir())
                .setControllerListenerName(CONTROLLER_LISTENER)
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION);
        if (scram != null) {
            // credentials in the bootstrap metadata: the SASL listener accepts its user from the first moment
            formatter.setScramArguments(List.of(scram.formatArgument()));
        }
        try {
            formatter.run();
        } catch (Exception e) {
            throw new IllegalStateException("Could not format the Kafka log directory " + directory, e);
        }
    }

    /** startup() returns before the broker is unfenced; describeCluster lists only brokers that serve clients. */
    private static void awaitServing(String bootstrapServers, Map<String, String> clientProperties) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (Admin admin = KafkaTopics.admin(bootstrapServers, clientProperties)) {
            while (true) {
                try {
                    if (!admin.describeCluster()
                            .nodes()
                            .get(5, TimeUnit.SECONDS)
                            .isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    LOG.debugf("Broker at %s not serving yet: %s", bootstrapServers, e.getMessage());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("The embedded Kafka broker at " + bootstrapServers
                            + " did not serve within " + READY_TIMEOUT);
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the embedded Kafka broker", e);
        }
    }

    @Override
    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void createTopic(String name, int partitions) {
        KafkaTopics.create(bootstrapServers, clientProperties, name, partitions);
    }

    /**
     * What a client needs besides {@code bootstrap.servers}: for a {@link #startWithScram SCRAM} broker
     * {@code security.protocol}, {@code sasl.mechanism} and {@code sasl.jaas.config}; empty for a plaintext broker.
     */
    public Map<String, String> clientProperties() {
        return clientProperties;
    }

    /** The log directory: kept by {@link #stop()}, deleted by {@link #close()}. */
    public Path directory() {
        return directory;
    }

    /**
     * Shuts the broker down cleanly (logs flushed, producer state saved) and keeps its directory and ports for
     * {@link #restart()}. Clients see refused connections until then. Does nothing when already stopped.
     */
    public synchronized void stop() {
        requireOpen();
        if (server == null) {
            return;
        }
        long started = System.nanoTime();
        stopQuietly(server);
        server = null;
        LOG.infof(
                "Embedded Kafka broker at %s stopped (directory kept) in %d ms",
                bootstrapServers, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /**
     * Starts the broker again on the same ports from the same directory, without formatting it, and returns once
     * it serves clients. A running broker is stopped first. A port that is briefly taken is retried for up to
     * {@link #REBIND_TIMEOUT}: clients were told this address and cannot be given another one.
     */
    public synchronized void restart() {
        requireOpen();
        stop();
        long started = System.nanoTime();
        long deadline = started + REBIND_TIMEOUT.toNanos();
        while (true) {
            KafkaRaftServer restarted = new KafkaRaftServer(new KafkaConfig(properties, false), Time.SYSTEM);
            try {
                restarted.startup();
                awaitServing(bootstrapServers, clientProperties);
                server = restarted;
                break;
            } catch (RuntimeException e) {
                stopQuietly(restarted);
                if (!FreePorts.isBindFailure(e) || System.nanoTime() > deadline) {
                    throw e;
                }
                LOG.warnf("A port of the embedded Kafka broker at %s is taken (%s); retrying", bootstrapServers, e);
                pause(Duration.ofMillis(100));
            }
        }
        LOG.infof(
                "Embedded Kafka broker at %s restarted in %d ms",
                bootstrapServers, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException("The embedded Kafka broker at " + bootstrapServers + " is closed");
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while restarting the embedded Kafka broker", e);
        }
    }

    @Override
    public void close() {
        shutdown();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or about to; shutdown() is idempotent
        }
    }

    private synchronized void shutdown() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long started = System.nanoTime();
        stopQuietly(server);
        server = null;
        deleteQuietly(directory);
        LOG.debugf(
                "Embedded Kafka broker at %s stopped in %d ms",
                bootstrapServers, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private static Path createDirectory() {
        try {
            return Files.createTempDirectory("connguard-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create a directory for the embedded Kafka broker", e);
        }
    }

    private static void stopQuietly(KafkaRaftServer server) {
        if (server == null) {
            return;
        }
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("The embedded Kafka broker did not shut down cleanly", e);
        }
    }

    private static void deleteQuietly(Path directory) {
        try {
            Utils.delete(directory.toFile());
        } catch (IOException e) {
            LOG.warnf(e, "Could not delete %s", directory);
        }
    }

    @Override
    public String toString() {
        return "embedded Kafka at " + bootstrapServers;
    }
}
