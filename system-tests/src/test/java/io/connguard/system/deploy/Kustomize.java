package io.connguard.system.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** {@code kubectl kustomize}, offline, on the repository's deploy/kubernetes directories. */
final class Kustomize {

    static final String KUBECTL_PROPERTY = "connguard.kubectl";
    private static final YAMLMapper YAML = new YAMLMapper();

    private Kustomize() {}

    /** The overlays under deploy/kubernetes/overlays, by directory name. */
    static List<String> overlays() {
        try (Stream<Path> dirs = Files.list(RepositoryFiles.resolve("deploy/kubernetes/overlays"))) {
            return dirs.filter(Files::isDirectory)
                    .map(dir -> dir.getFileName().toString())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The YAML that {@code kubectl kustomize deploy/kubernetes/<relative>} prints; fails with kubectl's output. */
    static String build(String relative) {
        Path dir = RepositoryFiles.resolve("deploy/kubernetes/" + relative);
        String kubectl = System.getProperty(KUBECTL_PROPERTY, "kubectl");
        Process process;
        Path stderr;
        try {
            stderr = Files.createTempFile("kustomize", ".err");
            process = new ProcessBuilder(kubectl, "kustomize", dir.toString())
                    .redirectError(stderr.toFile())
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "kubectl is needed to build the kustomize overlays and was not found ('" + kubectl
                            + "', set -D" + KUBECTL_PROPERTY + "=/path/to/kubectl): install kubectl 1.27+"
                            + " (it embeds kustomize v5); no cluster is needed",
                    e);
        }
        try {
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("kubectl kustomize " + dir + " did not finish within 60 s");
            }
            String errors = Files.readString(stderr);
            Files.delete(stderr);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(
                        "kubectl kustomize " + dir + " failed (exit " + process.exitValue() + "):\n" + errors);
            }
            return output;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The built objects as JSON trees, in kustomize's order. */
    static List<JsonNode> objects(String relative) {
        return parseAll(build(relative));
    }

    static List<JsonNode> parseAll(String yaml) {
        List<JsonNode> objects = new ArrayList<>();
        try (MappingIterator<JsonNode> documents =
                YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                if (document != null && !document.isNull() && !document.isEmpty()) {
                    objects.add(document);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("kustomize printed YAML that does not parse", e);
        }
        return objects;
    }

    static JsonNode parse(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalStateException("Cannot parse " + file, e);
        }
    }

    static JsonNode parse(String yaml) {
        try {
            return YAML.readTree(yaml);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot parse YAML", e);
        }
    }
}
