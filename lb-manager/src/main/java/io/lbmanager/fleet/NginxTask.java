package io.lbmanager.fleet;

/**
 * One Nginx + agent task of an LB group, however it is run (a Docker container, a Mesos task).
 * The task id is also the agent's id in ZooKeeper. {@code generation} is the deploy it belongs to
 * (empty for tasks started outside a generation).
 */
public record NginxTask(String taskId, String group, String host, int trafficPort, int adminPort, String image,
                        boolean running, String generation) {

    public NginxTask(String taskId, String group, String host, int trafficPort, int adminPort, String image, boolean running) {
        this(taskId, group, host, trafficPort, adminPort, image, running, "");
    }
}
