package io.lbmanager.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import jakarta.validation.constraints.Pattern;

/**
 * Digest credentials ({@code user:password}) for ZooKeeper ACLs on everything under
 * {@code zookeeper.root}. Without {@code manager} no ACLs are set (nodes stay open, as before).
 */
public class ZooKeeperAuthConfig {

    private static final String CREDENTIALS = "^$|[^:\\s]+:\\S+";

    /** The manager's own identity: the only one that may write the catalog, versions, rollouts, fleet state. */
    @Pattern(regexp = CREDENTIALS, message = "must be user:password")
    public String manager = "";

    /**
     * The agents' identity: may read a group's versions and routing data and write only their own
     * status nodes. Empty: agents connect without credentials and get that access as anyone.
     */
    @Pattern(regexp = CREDENTIALS, message = "must be user:password")
    public String agent = "";

    @JsonIgnore
    public boolean isEnabled() {
        return !manager.isBlank();
    }
}
