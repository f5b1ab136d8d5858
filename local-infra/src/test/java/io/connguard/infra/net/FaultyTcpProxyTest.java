package io.connguard.infra.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy between a client socket and an upstream socket that the test holds both ends of, so each direction is
 * checked on its own. "Nothing arrives" is a read that times out: the bound of the wait, not a sleep.
 */
class FaultyTcpProxyTest {

    /** Long enough for a byte to cross loopback and two threads on a loaded machine; short enough to keep tests quick. */
    private static final int NOTHING_ARRIVES_MS = 300;

    private static final int ARRIVES_MS = 5_000;

    private ServerSocket upstream;
    private FaultyTcpProxy proxy;

    @BeforeEach
    void start() throws IOException {
        upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        proxy = FaultyTcpProxy.start("127.0.0.1", upstream.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        upstream.close();
    }

    @Test
    void forwardsBytesBothWays() throws IOException {
        try (Socket client = connect();
                Socket server = accept()) {
            send(client, "ping");
            assertThat(receive(server, 4)).isEqualTo("ping");
            send(server, "pong");
            assertThat(receive(client, 4)).isEqualTo("pong");
            assertThat(proxy.openConnections()).isEqualTo(1);
        }
    }

    @Test
    void aBlackholeDropsBytesInBothDirectionsAndAHealLetsNewOnesThrough() throws IOException {
        try (Socket client = connect();
                Socket server = accept()) {
            proxy.blackhole();
            send(client, "lost");
            send(server, "gone");
            assertNothingArrives(server);
            assertNothingArrives(client);
            assertThat(proxy.droppedBytes()).isEqualTo(8);

            proxy.heal();
            send(client, "next");
            assertThat(receive(server, 4)).as("dropped, not delayed").isEqualTo("next");
            send(server, "back");
            assertThat(receive(client, 4)).isEqualTo("back");
        }
    }

    @Test
    void aCloseDuringTheBlackholeReachesTheOtherSideOnlyAfterTheHeal() throws IOException {
        try (Socket client = connect()) {
            Socket server = accept();
            proxy.blackhole();
            server.close();
            assertNothingArrives(client);
            assertThat(client.isClosed()).isFalse();

            proxy.heal();
            client.setSoTimeout(ARRIVES_MS);
            assertThat(client.getInputStream().read())
                    .as("end of stream after the heal")
                    .isEqualTo(-1);
        }
    }

    @Test
    void aConnectionOpenedDuringTheBlackholeIsAcceptedAndGoesNowhere() throws IOException {
        proxy.blackhole();
        try (Socket client = connect();
                Socket server = accept()) {
            send(client, "hello");
            assertNothingArrives(server);
            assertNothingArrives(client);
        }
    }

    @Test
    void closeEndsEveryConnectionAndStopsListening() throws IOException {
        try (Socket client = connect();
                Socket server = accept()) {
            proxy.close();
            client.setSoTimeout(ARRIVES_MS);
            assertThat(client.getInputStream().read()).isEqualTo(-1);
            assertThat(proxy.openConnections()).isZero();
            assertThatThrownBy(this::connect).isInstanceOf(ConnectException.class);
        }
    }

    private Socket connect() throws IOException {
        return new Socket(proxy.host(), proxy.port());
    }

    /** The proxy's upstream connection, opened when a client connected. */
    private Socket accept() throws IOException {
        upstream.setSoTimeout(ARRIVES_MS);
        return upstream.accept();
    }

    private static void send(Socket socket, String text) {
        try {
            socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String receive(Socket socket, int length) throws IOException {
        socket.setSoTimeout(ARRIVES_MS);
        return new String(socket.getInputStream().readNBytes(length), StandardCharsets.US_ASCII);
    }

    private static void assertNothingArrives(Socket socket) throws IOException {
        socket.setSoTimeout(NOTHING_ARRIVES_MS);
        assertThatThrownBy(() -> socket.getInputStream().read())
                .as("neither a byte nor an end of stream nor a reset")
                .isInstanceOf(SocketTimeoutException.class);
    }
}
