package io.lbmanager.fleet;

/** How healthy one Nginx task looks from outside. */
public interface TaskHealth {

    /** True when the task's agent answers 200 on {@code /ready}: Nginx serves the group's current config version. */
    boolean ready(NginxTask task);

    /** The HTTP status of {@code GET path} through the task's traffic port, or -1 when nothing answered in time. */
    int throughTraffic(NginxTask task, String path);
}
