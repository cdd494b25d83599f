package io.lbmanager.upgrade;

import java.util.List;

/** {@code GET /api/v1/fleet/{group}}: what runs, whether deploys are blocked, the current or last upgrade. */
public record FleetStatus(String group, String backend, String image, int instances, DeployBlock blocked,
                          List<TaskView> tasks, UpgradeView upgrade) {

    /** One Nginx task; {@code ready} is its agent's {@code /ready} answer right now. */
    public record TaskView(String taskId, String host, int trafficPort, int adminPort, String image, boolean running,
                           boolean ready) {
    }
}
