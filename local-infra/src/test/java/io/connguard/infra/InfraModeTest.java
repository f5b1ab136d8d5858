package io.connguard.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InfraModeTest {

    @Test
    void missingOrBlankMeansAuto() {
        assertThat(InfraMode.parse(null)).isEqualTo(InfraMode.AUTO);
        assertThat(InfraMode.parse("  ")).isEqualTo(InfraMode.AUTO);
    }

    @Test
    void namesAreCaseInsensitiveAndTrimmed() {
        assertThat(InfraMode.parse("embedded")).isEqualTo(InfraMode.EMBEDDED);
        assertThat(InfraMode.parse(" Docker ")).isEqualTo(InfraMode.DOCKER);
        assertThat(InfraMode.parse("AUTO")).isEqualTo(InfraMode.AUTO);
    }

    @Test
    void unknownNameIsRejectedWithTheChoices() {
        assertThatThrownBy(() -> InfraMode.parse("kind"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kind")
                .hasMessageContaining("auto, embedded or docker");
    }

    @Test
    void systemPropertySelectsTheMode() {
        String previous = System.getProperty(InfraMode.PROPERTY);
        try {
            System.setProperty(InfraMode.PROPERTY, "embedded");
            assertThat(InfraMode.current()).isEqualTo(InfraMode.EMBEDDED);
        } finally {
            if (previous == null) {
                System.clearProperty(InfraMode.PROPERTY);
            } else {
                System.setProperty(InfraMode.PROPERTY, previous);
            }
        }
    }

    @Test
    void explicitModesResolveToThemselves() {
        assertThat(InfraMode.EMBEDDED.resolve()).isEqualTo(InfraMode.EMBEDDED);
        assertThat(InfraMode.DOCKER.resolve()).isEqualTo(InfraMode.DOCKER);
    }

    @Test
    void autoResolvesToEmbeddedWithoutADockerEngine() {
        // these machines have no Docker engine; where one answers, AUTO must pick it
        InfraMode expected = DockerProbe.dockerAvailable() ? InfraMode.DOCKER : InfraMode.EMBEDDED;
        assertThat(InfraMode.AUTO.resolve()).isEqualTo(expected);
    }
}
