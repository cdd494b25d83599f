package io.lbmanager.api;

import io.lbmanager.agent.AgentStatus;
import io.lbmanager.render.ConfigBundle;
import io.lbmanager.rollout.AgentDirectory;
import io.lbmanager.rollout.ConfigPipeline;
import io.lbmanager.rollout.GroupStatus;
import io.lbmanager.rollout.PublishedVersion;
import io.lbmanager.rollout.VersionPublisher;
import io.lbmanager.snapshot.SnapshotSource;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.List;

/** What runs in a group: its published target, the last render's outcome, and every agent's report. */
@Path("/api/v1/groups/{group}")
@Produces(MediaType.APPLICATION_JSON)
public class GroupRuntimeResource {

    public record GroupRuntime(String group, PublishedVersion target, GroupStatus status, List<AgentStatus> agents) {
    }

    private final SnapshotSource source;
    private final ConfigPipeline pipeline;
    private final VersionPublisher publisher;
    private final AgentDirectory agents;

    public GroupRuntimeResource(SnapshotSource source, ConfigPipeline pipeline, VersionPublisher publisher, AgentDirectory agents) {
        this.source = source;
        this.pipeline = pipeline;
        this.publisher = publisher;
        this.agents = agents;
    }

    @GET
    @Path("/status")
    public GroupRuntime status(@PathParam("group") String group) throws Exception {
        requireGroup(group);
        return new GroupRuntime(group, publisher.target(group).orElse(null), pipeline.statuses().get(group), agents.agents(group));
    }

    @GET
    @Path("/config")
    public ConfigBundle liveConfig(@PathParam("group") String group) throws Exception {
        requireGroup(group);
        return publisher.targetBundle(group)
                .orElseThrow(() -> new NotFoundException("group " + group + " has no published config yet"));
    }

    private void requireGroup(String group) {
        if (!source.catalog().groups().contains(group)) {
            throw new NotFoundException("no LB group named " + group);
        }
    }
}
