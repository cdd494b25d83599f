package io.lbmanager.fleet;

/** How healthy one Nginx task looks from outside. */
public interface TaskHealth {

    /** True when the task's agent answers 200 on {@code /ready}: Nginx serves the group's current config version. */
    boolean ready(NginxTask task);

    /** What the task's {@code /ready} answers when it is not ready (status and sanitized body), for an operator. */
    default String notReadyReason(NginxTask task) {
        return "no answer on /ready";
    }

    /** The HTTP status of {@code GET path} through the task's traffic port, or -1 when nothing answered in time. */
    int throughTraffic(NginxTask task, String path);
}
