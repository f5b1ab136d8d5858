package io.connguard.drill.scenario;

import io.connguard.drill.observe.Milestones;
import io.connguard.drill.stack.Stack;
import io.connguard.drill.stack.StarforgeCluster;
import io.connguard.drill.stack.StarforgeCluster.WorkloadSpec;
import io.connguard.events.ActionEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * The runbook's "worker storm": a deploy raises {@code etl-worker} from 2 replicas x 5 connections to 6 x 10, which
 * wants 60 + 6 connections of 55 usable. Recovery must not recreate the storm: restoring has to stop at the highest
 * replica count whose connections stay below the threshold (3 replicas: 36 of 55) and say so.
 */
final class WorkerStorm implements Scenario {

    static final String NAME = "worker-storm";
    static final int STORM_REPLICAS = 6;
    static final int STORM_POOL = 10;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "a deploy raises etl-worker from " + Stack.WORKER_REPLICAS + "x" + Stack.WORKER_POOL + " to "
                + STORM_REPLICAS + "x" + STORM_POOL + " connections (" + (STORM_REPLICAS * STORM_POOL)
                + " + " + (Stack.API_REPLICAS * Stack.API_POOL) + " api wanted, "
                + (Stack.MAX_CONNECTIONS - Stack.SUPERUSER_RESERVED) + " usable)";
    }

    @Override
    public void inject(Stack stack) {
        stack.cluster().deploy(StarforgeCluster.ETL_WORKER, STORM_REPLICAS, STORM_POOL);
    }

    @Override
    public List<String> problems(Stack stack, Milestones milestones) {
        List<String> problems = new ArrayList<>();
        boolean restored =
                milestones.actions().stream().anyMatch(a -> a.action().equals("restore-workload"));
        if (!restored) {
            return problems; // nothing to judge yet: the generic milestones say what is missing
        }
        WorkloadSpec worker =
                stack.cluster().workload(StarforgeCluster.ETL_WORKER).orElseThrow();
        int api = stack.cluster()
                .workload(StarforgeCluster.API)
                .map(WorkloadSpec::connections)
                .orElse(0);
        if (worker.replicas() < 1) {
            problems.add("etl-worker was not restored: it still has 0 replicas");
        }
        if (worker.connections() + api >= milestones.threshold() * milestones.usable()) {
            problems.add("restoring recreated the storm: etl-worker is back at " + worker.replicas() + "x"
                    + worker.poolMax() + " (" + (worker.connections() + api) + " connections wanted of "
                    + milestones.usable() + "); restore must stop at the highest count below the threshold");
        }
        return problems;
    }

    @Override
    public List<String> outcome(Stack stack, Milestones milestones) {
        List<String> lines = new ArrayList<>();
        WorkloadSpec worker =
                stack.cluster().workload(StarforgeCluster.ETL_WORKER).orElseThrow();
        lines.add("etl-worker now " + worker.replicas() + "x" + worker.poolMax() + " (deploy wanted "
                + STORM_REPLICAS + "x" + STORM_POOL + "), ingestion "
                + (stack.cluster().ingestionEnabled() ? "on" : "paused"));
        milestones.actions().stream()
                .filter(a -> a.action().equals("restore-workload"))
                .reduce((first, second) -> second)
                .map(WorkerStorm::describe)
                .ifPresent(lines::add);
        return lines;
    }

    private static String describe(ActionEvent restore) {
        return "last restore: " + restore.outcome() + " "
                + (restore.command() == null ? "" : restore.command().text())
                + (restore.reason() == null ? "" : " (" + restore.reason() + ")");
    }
}
