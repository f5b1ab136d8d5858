package io.connguard.infra.process;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One packaged connguard service ({@code <module>/target/quarkus-app/quarkus-run.jar}) running as its own JVM process,
 * for the system tests and the drill.
 *
 * <p>Lifecycle: {@link #start} launches the process with its configuration as system properties and its output in a
 * log file; {@link #close()} stops it (SIGTERM, then SIGKILL after 10 s). The process does not outlive a JVM that
 * closes it from a shutdown hook; a {@code kill -9} of that JVM leaves it running.
 */
public final class ServiceProcess implements AutoCloseable {

    /** System property naming the repository root (the directory holding the service modules); default {@code ..}. */
    public static final String REPO_ROOT_PROPERTY = "connguard.repo.root";

    private final String name;
    private final int port;
    private final Process process;
    private final Path log;

    private ServiceProcess(String name, int port, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code <module>/target/quarkus-app/quarkus-run.jar} under {@value #REPO_ROOT_PROPERTY}, logging to
     * {@code target/<module>-<port>.log}.
     */
    public static ServiceProcess start(String module, int port, Map<String, String> config) throws IOException {
        Path root = Path.of(System.getProperty(REPO_ROOT_PROPERTY, ".."));
        return start(root, module, port, config, Path.of("target", module + "-" + port + ".log"));
    }

    /** Starts {@code <root>/<module>/target/quarkus-app/quarkus-run.jar} on {@code port}, logging to {@code log}. */
    public static ServiceProcess start(Path root, String module, int port, Map<String, String> config, Path log)
            throws IOException {
        Path jar = root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(
                    jar + " is missing: package the services first (./mvnw -DskipTests install)");
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                // the services are short-lived here: C1 only starts them faster and costs less CPU
                "-XX:TieredStopAtLevel=1"));
        command.add("-Dquarkus.http.port=" + port);
        config.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", jar.toString()));
        Path parent = log.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new ServiceProcess(module, port, process, log);
    }

    /** Waits until {@code /q/health/ready} answers 200; fails with the service's log when it exits or times out. */
    public ServiceProcess awaitReady(Duration timeout) throws InterruptedException {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + output());
            }
            try {
                var response = http.send(
                        HttpRequest.newBuilder(url("/q/health/ready"))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return this;
                }
            } catch (IOException notYetListening) {
                // keep polling
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(name + " not ready within " + timeout + ":\n" + output());
    }

    /** Waits for the process to exit by itself and returns its exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " still running after " + timeout);
        }
        return process.exitValue();
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public URI url(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    /** Where the service's output goes. */
    public Path log() {
        return log;
    }

    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Asks the service to stop (SIGTERM) without waiting, so several can shut down at once; {@link #close()} waits. */
    public void stop() {
        process.destroy();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
