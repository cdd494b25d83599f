package io.lbmanager.fleet;

import java.util.List;

/**
 * Starts, stops and lists single Nginx tasks of LB groups on an engine we run ourselves (the local
 * Docker engine). {@link FleetReconciler} keeps N of them per group; {@link DockerFleetBackend} builds
 * rolling generations from them.
 */
public interface TaskRunner {

    /** Every task of the group this runner knows, running or not. */
    List<NginxTask> tasks(String group);

    /** Starts one more task for the group; its agent fetches the current bundle before it serves. */
    NginxTask startTask(String group);

    /** Stops and forgets the task; a task that is already gone is not an error. */
    void stopTask(String taskId);
}
