package io.lbmanager.contract;

public enum AgentState {
    /** Registered, not yet serving the group's target version. */
    STARTING,
    /** Nginx serves the version in {@code runningVersion}. */
    READY,
    /** The last apply failed; Nginx still serves {@code runningVersion}. */
    FAILED
}
