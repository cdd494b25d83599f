package io.lbmanager.rollout;

/** A pinned group gets no automatic rollouts: catalog changes wait until it is unpinned. */
public record GroupPin(String by, String reason, long atMillis) {
}
