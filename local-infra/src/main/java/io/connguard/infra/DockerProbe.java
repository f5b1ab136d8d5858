package io.connguard.infra;

import java.util.logging.Level;
import org.jboss.logging.Logger;

/**
 * Answers whether Testcontainers can reach a Docker engine. Testcontainers is an optional dependency, so its
 * classes are only touched after checking they are on the classpath.
 */
final class DockerProbe {

    private static final Logger LOG = Logger.getLogger(DockerProbe.class);
    private static final String DOCKER_CLIENT_FACTORY = "org.testcontainers.DockerClientFactory";

    // strong reference: java.util.logging keeps loggers weakly, and a collected logger forgets its level
    private static final java.util.logging.Logger QUIET_WHILE_PROBING =
            java.util.logging.Logger.getLogger("org.testcontainers");

    private static Boolean available;

    private DockerProbe() {}

    static synchronized boolean dockerAvailable() {
        if (available == null) {
            if (!testcontainersPresent()) {
                available = false;
                LOG.infof("Testcontainers is not on the classpath: using embedded infrastructure");
            } else {
                available = askTestcontainers();
                LOG.infof(
                        available
                                ? "A Docker engine answers: using Testcontainers"
                                : "No Docker engine answers: using embedded infrastructure" + " (set "
                                        + InfraMode.PROPERTY + "=docker to see Testcontainers' diagnosis)");
            }
        }
        return available;
    }

    static boolean testcontainersPresent() {
        try {
            Class.forName(DOCKER_CLIENT_FACTORY, false, DockerProbe.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static boolean askTestcontainers() {
        java.util.logging.Logger testcontainers = QUIET_WHILE_PROBING;
        Level previous = testcontainers.getLevel();
        // in AUTO mode a missing engine is an expected answer, not the ERROR Testcontainers logs for it
        testcontainers.setLevel(Level.OFF);
        try {
            return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            LOG.debugf(e, "Testcontainers could not probe for Docker");
            return false;
        } finally {
            testcontainers.setLevel(previous);
        }
    }
}
