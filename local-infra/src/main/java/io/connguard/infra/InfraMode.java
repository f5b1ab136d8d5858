package io.connguard.infra;

import java.util.Locale;

/**
 * How the fixtures in this module obtain infrastructure.
 *
 * <p>Chosen per JVM from the system property {@code connguard.infra} or the environment variable
 * {@code CONNGUARD_INFRA} ({@code auto|embedded|docker}); the default is {@link #AUTO}. Developers with a
 * Docker engine get the same containers as CI elsewhere; machines without one (like the project's own)
 * still run every test against real servers started in-process or as local processes.
 */
public enum InfraMode {
    /** Docker (Testcontainers) when Testcontainers is on the classpath and a Docker engine answers, else embedded. */
    AUTO,
    /** In-process Kafka broker and local PostgreSQL clusters; needs only a JDK (and PostgreSQL binaries or the zonky jar). */
    EMBEDDED,
    /** Testcontainers; fails when no Docker engine is available. */
    DOCKER;

    public static final String PROPERTY = "connguard.infra";
    public static final String ENVIRONMENT_VARIABLE = "CONNGUARD_INFRA";

    /** The configured mode, which may be {@link #AUTO}; see {@link #resolve()} for what it means on this machine. */
    public static InfraMode current() {
        String configured = System.getProperty(PROPERTY);
        if (configured == null || configured.isBlank()) {
            configured = System.getenv(ENVIRONMENT_VARIABLE);
        }
        return parse(configured);
    }

    /**
     * {@link #EMBEDDED} or {@link #DOCKER}: {@link #AUTO} asks Testcontainers whether a Docker engine is
     * available (once per JVM, cached, ~0.1-0.4 s when none is).
     */
    public InfraMode resolve() {
        if (this != AUTO) {
            return this;
        }
        return DockerProbe.dockerAvailable() ? DOCKER : EMBEDDED;
    }

    static InfraMode parse(String value) {
        if (value == null || value.isBlank()) {
            return AUTO;
        }
        String normalized = value.trim().toUpperCase(Locale.ROOT);
        for (InfraMode mode : values()) {
            if (mode.name().equals(normalized)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("Unknown infrastructure mode '" + value + "' (from " + PROPERTY + " / "
                + ENVIRONMENT_VARIABLE + "): use auto, embedded or docker");
    }
}
