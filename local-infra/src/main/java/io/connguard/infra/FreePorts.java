package io.connguard.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Picks TCP ports on the loopback interface that are free right now. Servers here must know some ports
 * before they start (a KRaft voter list, a PostgreSQL {@code -p}), so there is a short window in which
 * another process could take the port: callers retry with a fresh port when the bind fails.
 */
public final class FreePorts {

    private FreePorts() {}

    /** A port on 127.0.0.1 that nothing listens on at the moment of the call. */
    public static int pick() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port on the loopback interface", e);
        }
    }

    /** Whether a start failure was caused by a port taken between {@link #pick()} and the bind. */
    public static boolean isBindFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException) {
                return true;
            }
            String message = t.getMessage();
            if (message != null && message.contains("Address already in use")) {
                return true;
            }
        }
        return false;
    }
}
