package io.lbmanager.rollout;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * One rollout of a group: every live agent moves to {@code version}; when all confirm it the
 * version becomes live, and when any agent fails or the deadline passes the whole group goes
 * back to {@code fromVersion}. Napkin-sized: IN_PROGRESS -> SUCCEEDED | REVERTED.
 *
 * @param timedOut the rollout was reverted because its deadline passed, not because Nginx refused it:
 *                 the same config is tried again after a while, since the agents may have recovered
 * @param kind     CONFIG: a config version (rendered, nginx -t, one reload per agent); ROUTES: a routing-table version
 *                 (pushed into the Lua router, no reload). Absent in records written before routes existed: CONFIG.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RolloutRecord(
        String id,
        String group,
        long version,
        String sha256,
        long fromVersion,
        State state,
        String cause,
        String actor,
        long startedAtMillis,
        long deadlineMillis,
        Long finishedAtMillis,
        List<AgentFailure> failures,
        boolean timedOut,
        Kind kind) {

    public enum State { IN_PROGRESS, SUCCEEDED, REVERTED }

    /** Which path a change took to Nginx. */
    public enum Kind { CONFIG, ROUTES }

    /** A config rollout. */
    public RolloutRecord(String id, String group, long version, String sha256, long fromVersion, State state, String cause, String actor,
                         long startedAtMillis, long deadlineMillis, Long finishedAtMillis, List<AgentFailure> failures, boolean timedOut) {
        this(id, group, version, sha256, fromVersion, state, cause, actor, startedAtMillis, deadlineMillis, finishedAtMillis, failures,
                timedOut, Kind.CONFIG);
    }

    /** Which agent stopped the rollout and why (Nginx's own words where it said something). */
    public record AgentFailure(String agentId, String reason) {
    }

    public RolloutRecord {
        failures = failures == null ? List.of() : List.copyOf(failures);
        kind = kind == null ? Kind.CONFIG : kind;
    }

    public boolean inProgress() {
        return state == State.IN_PROGRESS;
    }

    public RolloutRecord finished(State outcome, List<AgentFailure> why, boolean deadlinePassed, long nowMillis) {
        return new RolloutRecord(id, group, version, sha256, fromVersion, outcome, cause, actor, startedAtMillis, deadlineMillis, nowMillis,
                why, deadlinePassed, kind);
    }
}
