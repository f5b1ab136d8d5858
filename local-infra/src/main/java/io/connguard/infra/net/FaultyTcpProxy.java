package io.connguard.infra.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * A TCP proxy on 127.0.0.1 in front of one upstream address (e.g. a PostgreSQL port) that can be switched into a
 * silent network partition and back, for fault tests of clients that must not hang on a peer that stopped answering.
 *
 * <p>{@link #blackhole()}: every socket stays open and every byte read from either side is dropped, in both
 * directions; a side that closes is not reported to the other (no RST, no FIN). The client's own TCP stays healthy (this
 * proxy acknowledges its segments), so neither TCP keepalive nor a retransmission timeout ever ends the wait: only a
 * timeout of the client's own notices it, as with a stuck middlebox. New connections are accepted and go nowhere too.
 * {@link #heal()}: bytes flow again. Bytes dropped meanwhile are lost, so a stream that lost some is garbage to its
 * protocol and the client has to reconnect; a connection whose other side closed during the blackhole is closed now.
 *
 * <p>Plain blocking sockets: an accepting thread, and two daemon threads per connection, one per direction. Thread
 * safe; {@link #close()} closes the listening socket and every connection.
 */
public final class FaultyTcpProxy implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FaultyTcpProxy.class);
    private static final int UPSTREAM_CONNECT_TIMEOUT_MS = 5_000;
    private static final int BUFFER_SIZE = 16 * 1024;

    private final InetSocketAddress upstream;
    private final ServerSocket listener;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final AtomicLong droppedBytes = new AtomicLong();
    private final Object modeChange = new Object();
    private volatile boolean blackholed;
    private volatile boolean closed;

    private FaultyTcpProxy(InetSocketAddress upstream, ServerSocket listener) {
        this.upstream = upstream;
        this.listener = listener;
    }

    /** Listens on a free 127.0.0.1 port and forwards every connection to {@code upstreamHost:upstreamPort}. */
    public static FaultyTcpProxy start(String upstreamHost, int upstreamPort) {
        ServerSocket listener;
        try {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on the loopback interface", e);
        }
        FaultyTcpProxy proxy = new FaultyTcpProxy(new InetSocketAddress(upstreamHost, upstreamPort), listener);
        Thread acceptor = new Thread(proxy::accept, "faulty-tcp-proxy-accept-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
        return proxy;
    }

    /** Where clients connect. */
    public String host() {
        return listener.getInetAddress().getHostAddress();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** From now on drop every byte in both directions and hide closes, keeping every socket open. */
    public void blackhole() {
        blackholed = true;
        LOG.infof("proxy %d -> %s: blackholed", port(), upstream);
    }

    /** Let bytes through again; connections that one side closed during the blackhole are closed now. */
    public void heal() {
        synchronized (modeChange) {
            blackholed = false;
            modeChange.notifyAll();
        }
        LOG.infof("proxy %d -> %s: healed", port(), upstream);
    }

    public boolean blackholed() {
        return blackholed;
    }

    /** Bytes read and thrown away while blackholed, both directions, since the start: proof that a client tried. */
    public long droppedBytes() {
        return droppedBytes.get();
    }

    /** Client connections currently open through this proxy. */
    public int openConnections() {
        return links.size();
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        links.forEach(Link::close);
        synchronized (modeChange) {
            modeChange.notifyAll();
        }
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.errorf(e, "proxy %d: accept failed, no longer accepting", port());
                }
                return;
            }
            Socket server = new Socket();
            try {
                server.connect(upstream, UPSTREAM_CONNECT_TIMEOUT_MS);
            } catch (IOException e) {
                // the upstream refused: the client sees its connection closed, as it would without the proxy
                LOG.debugf("proxy %d: upstream %s unreachable: %s", port(), upstream, e.getMessage());
                closeQuietly(client);
                closeQuietly(server);
                continue;
            }
            Link link = new Link(client, server);
            links.add(link);
            if (closed) {
                link.close();
                return;
            }
            link.start();
        }
    }

    /** Waits while blackholed: what one side did during the partition reaches the other only after the heal. */
    private void awaitHealOrClose() {
        synchronized (modeChange) {
            while (blackholed && !closed) {
                try {
                    modeChange.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // closing what is already broken: nothing left to do
        }
    }

    /** One client connection and its upstream connection. */
    private final class Link {
        private final Socket client;
        private final Socket server;

        Link(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void start() {
            String name = "faulty-tcp-proxy-" + port() + "-" + client.getPort();
            pump(client, server, name + "-up");
            pump(server, client, name + "-down");
        }

        private void pump(Socket from, Socket to, String name) {
            Thread thread = new Thread(() -> forward(from, to), name);
            thread.setDaemon(true);
            thread.start();
        }

        private void forward(Socket from, Socket to) {
            byte[] buffer = new byte[BUFFER_SIZE];
            // the streams are not closed here: closing one closes its socket, which must wait for the heal
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    if (blackholed) {
                        droppedBytes.addAndGet(read);
                    } else {
                        out.write(buffer, 0, read);
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // a reset, or the other pump closed the link: handled as an end of stream
            }
            awaitHealOrClose();
            close();
        }

        void close() {
            links.remove(this);
            closeQuietly(client);
            closeQuietly(server);
        }
    }
}
