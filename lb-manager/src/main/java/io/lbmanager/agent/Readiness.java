package io.lbmanager.agent;

/** Whether Nginx serves the group's current target version, and why (not). */
public record Readiness(boolean ready, String reason) {
}
