package io.lbmanager.testsupport.singularity;

import java.util.Map;

/**
 * Where the simulator's tasks run: real containers of the deploy's image ({@link DockerSimulatedTasks},
 * for the upgrade ITs) or in-process HTTP servers ({@link InProcessTasks}, for the fast contract tests).
 */
interface SimulatedTasks {

    /** The task's two ports: PORT0 (traffic) and PORT1 (admin). */
    record Ports(int traffic, int admin) {
    }

    /** How a task that ended by itself ended: Mesos' status message, its stderr, and a log tail for our own log. */
    record Exit(String message, byte[] stderr, String logTail) {
    }

    /** Starts the task; throws, with the runtime's words, when it cannot. */
    Ports start(String taskId, String requestId, String deployId, String image, Map<String, String> env);

    /** Every task the runtime knows, with whether it still runs. */
    Map<String, Boolean> states();

    void stop(String taskId);

    /** How a task that is no longer running ended. */
    Exit exit(String taskId);
}
