package io.connguard.mitigator.action.postgres;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.connguard.events.EventJson;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * One row of pg_stat_activity as the mitigator judges it. Query text never leaves: only its fingerprint. A backend is
 * (pid, backend_start): a pid alone may belong to another backend by the time it is signalled.
 */
record Backend(
        int pid,
        OffsetDateTime backendStart,
        String user,
        String application,
        String database,
        String state,
        String backendType,
        boolean superuser,
        long queryMs,
        long transactionMs,
        long stateMs,
        String fingerprint,
        List<Integer> blockedBy) {

    /** The evidence recorded before a signal is sent. */
    ObjectNode evidence() {
        ObjectNode node = EventJson.mapper().createObjectNode();
        node.put("pid", pid);
        node.put("backendStart", backendStart.toString());
        node.put("user", user);
        node.put("applicationName", application);
        node.put("database", database);
        node.put("state", state);
        node.put("backendType", backendType);
        node.put("queryDurationMs", queryMs);
        node.put("transactionDurationMs", transactionMs);
        node.put("stateDurationMs", stateMs);
        node.put("queryFingerprint", fingerprint);
        blockedBy.forEach(node.putArray("blockedBy")::add);
        return node;
    }
}
