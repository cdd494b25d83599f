package io.lbmanager.fleet;

import java.util.List;

/**
 * Starts, stops and lists the Nginx tasks of LB groups; nothing more. How many tasks a group has
 * and how they are replaced during an upgrade is decided above this interface.
 */
public interface FleetBackend {

    /** Every task of the group this backend knows, running or not. */
    List<NginxTask> tasks(String group);

    /** Starts one more task for the group; its agent fetches the current bundle before it serves. */
    NginxTask startTask(String group);

    /** Stops and forgets the task; a task that is already gone is not an error. */
    void stopTask(String taskId);
}
