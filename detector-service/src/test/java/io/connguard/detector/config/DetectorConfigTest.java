package io.connguard.detector.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.validator.BeanValidationConfigValidator;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.Test;

/** The mapping as SmallRye Config builds it at start-up, with bean validation: what an operator's typo produces. */
class DetectorConfigTest {

    private static final Validator VALIDATOR = Validation.byDefaultProvider()
            .configure()
            .messageInterpolator(new ParameterMessageInterpolator())
            .buildValidatorFactory()
            .getValidator();

    @Test
    void aMinimalTargetGetsTheRunbookDefaults() {
        DetectorConfig config = load(Map.of(
                "connguard.detector.targets.orders.host", "db", "connguard.detector.targets.orders.user", "probe"));
        DetectorConfig.Target orders = config.targets().get("orders");
        assertThat(orders.port()).isEqualTo(5432);
        assertThat(orders.sampleInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(orders.thresholds().elevated()).isEqualTo(0.80);
        assertThat(orders.thresholds().critical()).isEqualTo(0.95);
        assertThat(orders.pgbouncer()).isEmpty();
        assertThat(config.periodicUpdate()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.heartbeat()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.restore().lookback()).isEqualTo(Duration.ofHours(1));
        assertThat(config.restore().timeout()).isEqualTo(Duration.ofSeconds(5));
        ConfigChecks.check(config);
    }

    @Test
    void noTargetStopsStartUp() {
        assertThatThrownBy(() -> load(Map.of("connguard.detector.periodic-update", "5s")))
                .hasMessageContaining("connguard.detector.targets")
                .hasMessageContaining("no target configured");
    }

    @Test
    void anUnknownKeyStopsStartUpNamingIt() {
        Map<String, String> properties = target();
        properties.put("connguard.detector.targets.orders.treshold.elevated", "0.5");
        properties.put("connguard.detector.sample-intervall", "1s");
        assertThatThrownBy(() -> load(properties))
                .hasMessageContaining("connguard.detector.targets.orders.treshold.elevated")
                .hasMessageContaining("connguard.detector.sample-intervall")
                .hasMessageContaining("does not map to any root");
    }

    @Test
    void thresholdsOutOfOrderStopStartUpNamingTheTarget() {
        Map<String, String> properties = target();
        properties.put("connguard.detector.targets.orders.thresholds.clear", "0.85");
        DetectorConfig config = load(properties);
        assertThatThrownBy(() -> ConfigChecks.check(config))
                .hasMessageContaining("connguard.detector.targets.orders.thresholds")
                .hasMessageContaining("clear (0.85) must be below elevated (0.8)");
    }

    @Test
    void aRatioOutOfRangeStopsStartUpNamingTheKey() {
        Map<String, String> properties = target();
        properties.put("connguard.detector.targets.orders.thresholds.critical", "1.5");
        assertThatThrownBy(() -> load(properties))
                .hasMessageContaining("connguard.detector.targets.orders.thresholds.critical");
    }

    @Test
    void aHeartbeatOrRestoreWindowThatIsNotPositiveStopsStartUpNamingTheKey() {
        Map<String, String> properties = target();
        properties.put("connguard.detector.heartbeat", "0s");
        properties.put("connguard.detector.restore.lookback", "-1m");
        properties.put("connguard.detector.restore.timeout", "0ms");
        DetectorConfig config = load(properties);
        assertThatThrownBy(() -> ConfigChecks.check(config))
                .hasMessageContaining("connguard.detector.heartbeat: must be positive, is PT0S")
                .hasMessageContaining("connguard.detector.restore.lookback: must be positive, is PT-1M")
                .hasMessageContaining("connguard.detector.restore.timeout: must be positive, is PT0S");
    }

    @Test
    void aPoolerWithoutUserStopsStartUp() {
        Map<String, String> properties = target();
        properties.put("connguard.detector.targets.orders.pgbouncer.host", "pgbouncer");
        assertThatThrownBy(() -> load(properties))
                .hasMessageContaining("connguard.detector.targets.orders.pgbouncer.user");
    }

    private static Map<String, String> target() {
        Map<String, String> properties = new HashMap<>();
        properties.put("connguard.detector.targets.orders.host", "db");
        properties.put("connguard.detector.targets.orders.user", "probe");
        return properties;
    }

    private static DetectorConfig load(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(DetectorConfig.class)
                // Quarkus' own converter: "5s", "500ms" as in application.properties
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test.properties", 500))
                .withValidator((BeanValidationConfigValidator) () -> VALIDATOR)
                .build();
        return config.getConfigMapping(DetectorConfig.class);
    }
}
