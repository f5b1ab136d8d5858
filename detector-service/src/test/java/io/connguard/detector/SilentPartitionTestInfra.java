package io.connguard.detector;

import io.connguard.infra.SharedInfra;
import io.connguard.infra.net.FaultyTcpProxy;
import io.connguard.infra.postgres.PostgresOptions;
import io.connguard.infra.postgres.PostgresServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A PostgreSQL cluster of its own that the detector sees only through a {@link FaultyTcpProxy}, configured as the only
 * target {@value #TARGET} (probe as superuser), publishing to the shared broker. A test switches the proxy into a
 * silent partition and back. Started by {@link Profile} instead of {@link DetectorTestInfra}: a cluster of its own
 * keeps the partitioned probe's connection out of the slot counts the other detector tests assert.
 */
public class SilentPartitionTestInfra implements QuarkusTestResourceLifecycleManager {

    public static final String TARGET = "behind-proxy";

    /** The profile that starts this resource instead of the global ones. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SilentPartitionTestInfra.class));
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }
    }

    private static PostgresServer target;
    private static FaultyTcpProxy proxy;

    public static FaultyTcpProxy proxy() {
        return proxy;
    }

    @Override
    public Map<String, String> start() {
        DetectorTestInfra.registerJdbcDriver();
        target = PostgresServer.start(PostgresOptions.defaults());
        proxy = FaultyTcpProxy.start(target.host(), target.port());

        Map<String, String> config = new HashMap<>();
        config.put("kafka.bootstrap.servers", SharedInfra.kafka().bootstrapServers());
        config.put("connguard.detector.periodic-update", "1s");
        // an OK target publishes every second too: the test sees the detector before the partition
        config.put("connguard.detector.heartbeat", "1s");
        config.put("connguard.detector.probe.reconnect-initial-backoff", "200ms");
        config.put("connguard.detector.probe.reconnect-max-backoff", "1s");
        String partitioned = "connguard.detector.targets." + TARGET + ".";
        config.put(partitioned + "host", proxy.host());
        config.put(partitioned + "port", Integer.toString(proxy.port()));
        config.put(partitioned + "user", target.superuser());
        config.put(partitioned + "sample-interval", "200ms");
        return config;
    }

    @Override
    public void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (target != null) {
            target.close();
        }
    }
}
