package io.lbmanager.upgrade;

/** The states an operator sees. RUNNING and PAUSED are in progress; the others are final. */
public enum UpgradeState {
    RUNNING, PAUSED, SUCCEEDED, ROLLED_BACK, CANCELLED, FAILED;

    public boolean inProgress() {
        return this == RUNNING || this == PAUSED;
    }
}
