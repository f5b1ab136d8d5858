package io.connguard.infra.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;

/** Topic administration shared by every kind of broker: the same Admin calls work against all of them. */
final class KafkaTopics {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private KafkaTopics() {}

    static void create(String bootstrapServers, String name, int partitions) {
        create(bootstrapServers, Map.of(), name, partitions);
    }

    /** As {@link #create(String, String, int)}, with client settings such as SASL credentials. */
    static void create(String bootstrapServers, Map<String, String> clientProperties, String name, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("A topic needs at least one partition, got " + partitions);
        }
        try (Admin admin = admin(bootstrapServers, clientProperties)) {
            // empty replication factor: the broker's default, 1 on the embedded broker, the cluster's elsewhere
            NewTopic topic = new NewTopic(name, Optional.of(partitions), Optional.empty());
            try {
                admin.createTopics(List.of(topic)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("Could not create topic " + name + " on " + bootstrapServers, e);
                }
            }
            awaitLeaders(admin, name);
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "Creating topic " + name + " on " + bootstrapServers + " took longer than " + TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topic " + name, e);
        }
    }

    /**
     * The controller acknowledges a new topic before every broker's metadata shows it; waiting for a leader on
     * every partition makes the topic usable by the very next client, even on a loaded machine.
     */
    private static void awaitLeaders(Admin admin, String name) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                TopicDescription description = admin.describeTopics(List.of(name))
                        .allTopicNames()
                        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                        .get(name);
                if (description.partitions().stream().allMatch(p -> p.leader() != null)) {
                    return;
                }
            } catch (ExecutionException notYetVisible) {
                // UnknownTopicOrPartitionException until the metadata arrives
            }
            Thread.sleep(50);
        }
        throw new TimeoutException("topic " + name + " has no leader after " + TIMEOUT);
    }

    static Admin admin(String bootstrapServers) {
        return admin(bootstrapServers, Map.of());
    }

    static Admin admin(String bootstrapServers, Map<String, String> clientProperties) {
        Map<String, Object> config = new HashMap<>(clientProperties);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "connguard-local-infra");
        return Admin.create(config);
    }
}
