package io.lbmanager;

import io.dropwizard.core.Configuration;
import io.lbmanager.api.ApiConfig;
import io.lbmanager.config.BaragonConfig;
import io.lbmanager.config.UsageConfig;
import io.lbmanager.config.DiscoveryConfig;
import io.lbmanager.config.FleetConfig;
import io.lbmanager.config.HibernationConfig;
import io.lbmanager.config.NginxConfig;
import io.lbmanager.config.PipelineConfig;
import io.lbmanager.config.SigningConfig;
import io.lbmanager.config.ZonesConfig;
import io.lbmanager.config.ZooKeeperConfig;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

import java.util.ArrayList;
import java.util.List;

public class LbManagerConfiguration extends Configuration {

    @Valid
    @NotNull
    public ZooKeeperConfig zookeeper = new ZooKeeperConfig();

    @Valid
    @NotNull
    public DiscoveryConfig discovery = new DiscoveryConfig();

    @Valid
    @NotNull
    public NginxConfig nginx = new NginxConfig();

    @Valid
    @NotNull
    public PipelineConfig pipeline = new PipelineConfig();

    @Valid
    @NotNull
    public ApiConfig api = new ApiConfig();

    @Valid
    @NotNull
    public FleetConfig fleet = new FleetConfig();

    @Valid
    @NotNull
    public SigningConfig signing = new SigningConfig();

    @Valid
    @NotNull
    public BaragonConfig baragon = new BaragonConfig();

    @Valid
    @NotNull
    public HibernationConfig hibernation = new HibernationConfig();

    @Valid
    @NotNull
    public UsageConfig usage = new UsageConfig();

    @Valid
    @NotNull
    public ZonesConfig zones = new ZonesConfig();

    /** Set by the {@code demo} command: sample backends registered through Curator x-discovery. */
    public boolean demo = false;

    /** LB groups created at start-up if missing (more can be added through the API). */
    @NotNull
    public List<String> groups = new ArrayList<>();
}
