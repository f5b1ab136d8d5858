package io.connguard.mitigator;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real flag service whose answer on one path a test can hold back: the action calling it stays in progress, for
 * exactly as long as the test wants, without a sleep. Every request is answered on its own thread, so a held request
 * keeps no other waiting.
 */
final class HeldWebhook {

    // a held request is answered after this at the latest, so a test that fails before releasing leaks no thread
    private static final long MAX_HOLD_SECONDS = 60;

    private final HttpServer server;
    private final Map<String, CountDownLatch> held = new ConcurrentHashMap<>();
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final List<String> answered = new CopyOnWriteArrayList<>();

    HeldWebhook() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "held-webhook");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            exchange.getRequestBody().readAllBytes();
            received.add(path);
            CountDownLatch latch = held.get(path);
            try {
                if (latch != null) {
                    latch.await(MAX_HOLD_SECONDS, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            answered.add(path);
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** Holds every request to {@code path} until the returned hold is released (or closed). */
    Hold hold(String path) {
        CountDownLatch latch = new CountDownLatch(1);
        held.put(path, latch);
        return () -> {
            held.remove(path, latch);
            latch.countDown();
        };
    }

    long received(String path) {
        return received.stream().filter(path::equals).count();
    }

    long answered(String path) {
        return answered.stream().filter(path::equals).count();
    }

    /** A request hold; releasing it answers the held requests. */
    interface Hold extends AutoCloseable {

        void release();

        @Override
        default void close() {
            release();
        }
    }
}
