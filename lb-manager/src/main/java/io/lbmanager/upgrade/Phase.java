package io.lbmanager.upgrade;

/**
 * Where a RUNNING (or PAUSED) upgrade is inside its current step. LAUNCHING: waiting until the
 * step's new tasks are ready; BAKING: probing them for the bake time; FINISHING: the last step
 * passed, waiting for the backend to make the new generation active; REVERTING: a gate failed or an
 * operator asked for a rollback, waiting until the previous generation serves alone again.
 */
public enum Phase {
    LAUNCHING, BAKING, FINISHING, REVERTING, DONE
}
