package io.connguard.mitigator.policy;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads and validates a policy YAML. Unknown keys, unknown action kinds, bad durations and an impossible ladder
 * order are errors naming the file, the path in it (and line/column where the parser knows them).
 */
public final class PolicyLoader {

    /** The built-in policy, mirroring the runbook. */
    public static final String DEFAULT_RESOURCE = "default-policy.yaml";

    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    private static final ObjectMapper YAML = JsonMapper.builder(new YAMLFactory())
            .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .addModule(new JavaTimeModule())
            .addModule(new SimpleModule().addDeserializer(Duration.class, new DurationDeserializer()))
            .build();

    private PolicyLoader() {}

    public static Policy load(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(file.toString(), in);
        } catch (IOException e) {
            throw new PolicyException(file.toString(), List.of("cannot read: " + e.getMessage()));
        }
    }

    public static Policy loadDefault() {
        try (InputStream in = PolicyLoader.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(DEFAULT_RESOURCE + " missing from the classpath");
            }
            return parse("classpath:" + DEFAULT_RESOURCE, in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Policy parse(String file, InputStream yaml) {
        Policy policy;
        try {
            policy = YAML.readValue(yaml, Policy.class);
        } catch (JsonMappingException e) {
            throw new PolicyException(file, List.of(describe(e)));
        } catch (IOException e) {
            throw new PolicyException(file, List.of("not valid YAML: " + e.getMessage()));
        }
        if (policy == null) {
            throw new PolicyException(file, List.of("the file is empty"));
        }
        List<String> problems = validate(policy);
        if (!problems.isEmpty()) {
            throw new PolicyException(file, problems);
        }
        return policy;
    }

    private static String describe(JsonMappingException e) {
        String path = e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? "." + ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining())
                .replaceFirst("^\\.", "");
        JsonLocation location = e.getLocation();
        String where =
                location == null ? "" : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
        return (path.isEmpty() ? "<root>" : path) + where + ": "
                + e.getOriginalMessage().lines().findFirst().orElse("");
    }

    static List<String> validate(Policy policy) {
        List<String> problems = new ArrayList<>();
        if (policy.ladder().isEmpty()) {
            problems.add("ladder: must have at least one step");
        }
        Set<String> names = new HashSet<>();
        int pauses = 0;
        for (int i = 0; i < policy.ladder().size(); i++) {
            Policy.Step step = policy.ladder().get(i);
            String at = "ladder[" + i + "]";
            if (step == null) {
                problems.add(at + ": empty step");
                continue;
            }
            if (step.name() == null || step.name().isBlank()) {
                problems.add(at + ".name: required");
            } else if (!names.add(step.name())) {
                problems.add(at + ".name: duplicate step name '" + step.name() + "'");
            }
            if (step.action() == null) {
                problems.add(at + ".action: required");
            } else {
                validateAction(at + ".action", step.action(), problems);
                if (step.action() instanceof ActionSpec.PauseIngestion) {
                    pauses++;
                }
            }
            if (!step.when().minLevel().isKnown() || step.when().minLevel() == io.connguard.events.Level.OK) {
                problems.add(at + ".when.min-level: must be ELEVATED or CRITICAL");
            }
            if (i > 0 && policy.ladder().get(i - 1) != null) {
                var previous = policy.ladder().get(i - 1).when().minLevel();
                if (previous.isAbove(step.when().minLevel())) {
                    problems.add(at + ".when.min-level: impossible order: "
                            + step.when().minLevel() + " after a step that needs " + previous
                            + " (the ladder only escalates)");
                }
            }
            if (!positive(step.verify().window())) {
                problems.add(at + ".verify.window: must be positive");
            }
            if (step.verify().improvement() < 0 || step.verify().improvement() > 1) {
                problems.add(at + ".verify.improvement: must be between 0 and 1 (ratio points)");
            }
            if (step.andNext() && !hasEnabledStepAfter(policy, i)) {
                problems.add(at + ".and-next: needs an enabled step after it");
            }
        }
        if (pauses > 1) {
            problems.add("ladder: at most one pause-ingestion step (recovery resumes ingestion once)");
        }
        if (!positive(policy.recovery().soak())) {
            problems.add("recovery.soak: must be positive");
        }
        if (!positive(policy.recovery().okSoak())) {
            problems.add("recovery.ok-soak: must be positive");
        }
        if (!(policy.recovery().maxRatio() > 0 && policy.recovery().maxRatio() <= 1)) {
            problems.add("recovery.max-ratio: must be in (0, 1]");
        }
        Policy.Evidence e = policy.evidence();
        if (!positive(e.maxAge())) {
            problems.add("evidence.max-age: must be positive");
        }
        if (e.timeout().compareTo(e.maxAge()) < 0) {
            problems.add("evidence.timeout: must not be shorter than evidence.max-age");
        }
        if (!(e.confirmTolerance() >= 0 && e.confirmTolerance() < 1)) {
            problems.add("evidence.confirm-tolerance: must be in [0, 1)");
        }
        if (!(e.healthyBelow() > 0 && e.healthyBelow() <= 1)) {
            problems.add("evidence.healthy-below: must be in (0, 1]");
        }
        Policy.Guardrails g = policy.guardrails();
        if (g.cooldown().isNegative()) {
            problems.add("guardrails.cooldown: must not be negative");
        }
        if (g.maxActionsPerIncident() < 1 || g.maxActionsPerHour() < 1 || g.maxSessionsSignalledPerMinute() < 0) {
            problems.add("guardrails: max-actions-per-incident and max-actions-per-hour must be >= 1,"
                    + " max-sessions-signalled-per-minute >= 0");
        }
        if (g.maxReplicaFractionRemoved() < 0 || g.maxReplicaFractionRemoved() > 1) {
            problems.add("guardrails.max-replica-fraction-removed: must be between 0 and 1");
        }
        if (policy.notification() != null) {
            validateUrl("notify.url", policy.notification().url(), problems);
            if (policy.notification().postsPerMinute() < 1
                    || policy.notification().burst() < 1) {
                problems.add("notify: posts-per-minute and burst must be >= 1");
            }
        }
        return problems;
    }

    // java.net.http rejects anything else only when the request is built, i.e. in the middle of an incident
    private static boolean hasEnabledStepAfter(Policy policy, int index) {
        return policy.ladder().stream().skip(index + 1L).anyMatch(next -> next != null && next.enabled());
    }

    private static void validateUrl(String at, String url, List<String> problems) {
        if (blank(url)) {
            problems.add(at + ": required");
            return;
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            uri = null;
        }
        if (uri == null
                || uri.getHost() == null
                || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            problems.add(at + ": must be an absolute http(s) URL, was '" + url + "'");
        }
    }

    private static void validateAction(String at, ActionSpec action, List<String> problems) {
        if (action instanceof ActionSpec.PauseIngestion pause) {
            ActionSpec.Flag flag = pause.flag();
            if (flag == null || (flag.configMap() == null) == (flag.webhook() == null)) {
                problems.add(at + ".flag: exactly one of config-map or webhook is required");
            } else if (flag.configMap() != null) {
                ActionSpec.ConfigMapFlag cm = flag.configMap();
                if (blank(cm.name()) || blank(cm.key()) || cm.pausedValue() == null || cm.resumedValue() == null) {
                    problems.add(at + ".flag.config-map: name, key, paused-value and resumed-value are required");
                }
            } else {
                validateUrl(at + ".flag.webhook.url", flag.webhook().url(), problems);
            }
        } else if (action instanceof ActionSpec.ScaleWorkload scale) {
            validateWorkload(at + ".workload", scale.workload(), problems);
            if (scale.poolEnv() != null && scale.poolEnv().isBlank()) {
                problems.add(at + ".pool-env: must name an env var when set");
            }
            if ((scale.replicas() == null) == (scale.fraction() == null)) {
                problems.add(at + ": exactly one of replicas or fraction is required");
            } else if (scale.replicas() != null && scale.replicas() < 0) {
                problems.add(at + ".replicas: must be >= 0");
            } else if (scale.fraction() != null && (scale.fraction() < 0 || scale.fraction() >= 1)) {
                problems.add(at + ".fraction: must be in [0, 1)");
            }
        } else if (action instanceof ActionSpec.CancelQueries cancel) {
            if (!positive(cancel.minDuration()) || !positive(cancel.terminateAfter())) {
                problems.add(at + ": min-duration and terminate-after must be positive");
            }
        } else if (action instanceof ActionSpec.TerminateIdleInTransaction idle) {
            if (!positive(idle.olderThan())) {
                problems.add(at + ".older-than: must be positive");
            }
        } else if (action instanceof ActionSpec.ShrinkPool shrink) {
            validateWorkload(at + ".workload", shrink.workload(), problems);
            if (shrink.value() == null || shrink.value() < 1) {
                problems.add(at + ".value: required, >= 1");
            }
        }
    }

    private static void validateWorkload(String at, ActionSpec.Workload workload, List<String> problems) {
        if (workload == null || blank(workload.name()) || blank(workload.namespace())) {
            problems.add(at + ": namespace and name are required");
        } else if (!"Deployment".equals(workload.kind()) && !"StatefulSet".equals(workload.kind())) {
            problems.add(at + ".kind: must be Deployment or StatefulSet, was '" + workload.kind() + "'");
        }
    }

    private static boolean positive(Duration d) {
        return d != null && !d.isNegative() && !d.isZero();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, or ISO-8601 ({@code PT30S}). */
    static Duration parseDuration(String text) {
        Matcher m = SHORT_DURATION.matcher(text.trim());
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
        try {
            return Duration.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "bad duration '" + text + "': use e.g. 500ms, 30s, 5m, 1h or ISO-8601 (PT30S)");
        }
    }

    private static final class DurationDeserializer extends JsonDeserializer<Duration> {
        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            try {
                return parseDuration(p.getValueAsString(""));
            } catch (IllegalArgumentException e) {
                throw JsonMappingException.from(p, e.getMessage());
            }
        }
    }
}
