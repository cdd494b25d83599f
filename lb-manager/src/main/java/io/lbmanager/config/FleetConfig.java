package io.lbmanager.config;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import java.util.LinkedHashMap;
import java.util.Map;

/** Which Nginx tasks the manager runs itself, and where. {@code none} leaves the fleet to someone else. */
public class FleetConfig {

    public enum Backend { NONE, DOCKER }

    @NotNull
    public Backend backend = Backend.NONE;

    /** The Nginx + agent image (see nginx-image/). */
    @NotBlank
    public String image = "lb-manager/nginx:dev";

    /** Label value that tells this fleet's containers from any other fleet's on the same engine. */
    @Pattern(regexp = "[a-z0-9][a-z0-9_-]{0,30}")
    public String name = "lbm";

    /** Nginx tasks per LB group. */
    @NotNull
    public Map<String, Integer> instances = new LinkedHashMap<>();

    /** ZooKeeper connect string the agents use; empty means the manager's own. */
    @NotNull
    public String agentZooKeeper = "";
}
