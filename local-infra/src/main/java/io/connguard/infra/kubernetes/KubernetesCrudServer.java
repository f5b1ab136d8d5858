package io.connguard.infra.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * A Kubernetes API for the local drill: fabric8's mock server in CRUD mode, which stores whatever is
 * created, patched or scaled and returns it on reads and watches, like a cluster without controllers.
 * No real API server can run on the project's machines, and the mitigator only needs the API's storage
 * semantics (Deployments, their scale subresource, ConfigMaps).
 *
 * <p>Listens on a free loopback port over plain HTTP from construction until {@link #close()}. Strategic-merge
 * patches are not supported by the CRUD server (HTTP 415): use JSON merge or JSON patches. A JSON patch that cannot
 * be applied (a failing {@code test} op) is answered 422, as by the API server.
 */
public final class KubernetesCrudServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(KubernetesCrudServer.class);

    private final ApiFaults faults = new ApiFaults();
    private final KubernetesMockServer server;
    private final NamespacedKubernetesClient client;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Starts the server; {@link #start()} reads better at call sites. */
    public KubernetesCrudServer() {
        long started = System.nanoTime();
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        // no expectations are ever recorded, so the mixed dispatcher answers everything from its CRUD store (unless a
        // test injected a fault)
        server = new KubernetesMockServer(
                new Context(Serialization.jsonMapper()),
                new MockWebServer(),
                expectations,
                new FaultInjectingDispatcher(expectations, faults),
                false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
        LOG.infof(
                "Kubernetes CRUD server ready at %s in %d ms",
                url(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    public static KubernetesCrudServer start() {
        return new KubernetesCrudServer();
    }

    /** The API server URL, e.g. for {@code quarkus.kubernetes-client.api-server-url}. */
    public String url() {
        // the same address the fabric8 client from client() uses
        String url = server.url("/");
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** Outages a test injects into this API, and the log of every answer it gave. */
    public ApiFaults faults() {
        return faults;
    }

    /** A client bound to this server (namespace {@code test}); closed with the server. */
    public KubernetesClient client() {
        return client;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            client.close();
            server.destroy();
        }
    }
}
