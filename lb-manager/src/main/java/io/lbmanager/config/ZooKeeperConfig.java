package io.lbmanager.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/** Where the catalog lives. {@code connectString: embedded} starts an in-process ZooKeeper server. */
public class ZooKeeperConfig {

    public static final String EMBEDDED = "embedded";

    @NotBlank
    public String connectString = EMBEDDED;

    /** Port of the embedded server; 0 picks a free one. */
    @Min(0)
    public int embeddedPort = 2181;

    /** Data directory of the embedded server; empty means a fresh temporary directory. */
    public String embeddedDataDir = "";

    @Pattern(regexp = "/[A-Za-z0-9_./-]*[A-Za-z0-9_-]", message = "must be an absolute ZooKeeper path without a trailing /")
    public String root = "/lb-manager";

    @Min(1000)
    public int sessionTimeoutMs = 30_000;

    @Min(1000)
    public int connectionTimeoutMs = 15_000;

    @Valid
    @NotNull
    public ZooKeeperAuthConfig auth = new ZooKeeperAuthConfig();

    @JsonIgnore
    public boolean isEmbedded() {
        return EMBEDDED.equals(connectString);
    }
}
