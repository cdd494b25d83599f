package io.lbmanager.baragon;

import io.lbmanager.contract.AgentStatus;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.contract.PublishedVersion;
import io.lbmanager.contract.RouteLine;
import io.lbmanager.peers.PeerBucket;
import io.lbmanager.render.BundleRenderer;
import io.lbmanager.rollout.AgentDirectory;
import io.lbmanager.rollout.GroupStatus;
import io.lbmanager.rollout.GroupStatusStore;
import io.lbmanager.rollout.RolloutStore;
import io.lbmanager.rollout.VersionPublisher;
import io.lbmanager.routes.PublishedRoutes;
import io.lbmanager.validate.ConfigError;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Whether what a load-balancer request asked for is served, read from what Nginx runs: in each of
 * the service's groups the live version (every agent confirmed it, no rollout in flight) routes
 * the service at its base path (in a location file, or in the live routing table for a service
 * the Lua router serves) or no longer routes a deleted one, and every upstream asked for is
 * in that version's upstream block or, with the Lua balancer, in the service's peer list that every
 * agent reports it pushed into Nginx ({@code AgentStatus.peersZxid}).
 */
final class LiveCheck {

    /** The outcome for one request. */
    sealed interface Verdict {
        record Live() implements Verdict {
        }

        /** Not live yet; {@code reason} says what is missing. */
        record Pending(String reason) implements Verdict {
        }

        /** Will not become live: Nginx refused the service, or its group cannot publish. */
        record Refused(String reason) implements Verdict {
        }
    }

    private final CuratorFramework client;
    private final ZkLayout layout;
    private final RolloutStore rollouts;
    private final VersionPublisher versions;
    private final GroupStatusStore statuses;
    private final AgentDirectory agents;
    private final PublishedRoutes routes;

    LiveCheck(CuratorFramework client, ZkLayout layout, RolloutStore rollouts, VersionPublisher versions, GroupStatusStore statuses,
              AgentDirectory agents, PublishedRoutes routes) {
        this.client = client;
        this.layout = layout;
        this.rollouts = rollouts;
        this.versions = versions;
        this.statuses = statuses;
        this.agents = agents;
        this.routes = routes;
    }

    Verdict check(LbRequestRecord request) throws Exception {
        for (String group : request.groups()) {
            Verdict verdict = checkGroup(request, group);
            if (!(verdict instanceof Verdict.Live)) {
                return verdict;
            }
        }
        return new Verdict.Live();
    }

    private Verdict checkGroup(LbRequestRecord request, String group) throws Exception {
        String service = request.serviceId();
        Optional<GroupStatus> status = statuses.read(group);
        if (!request.deleted() && status.isPresent()) {
            List<ConfigError> errors = status.get().quarantined().get(service);
            if (errors != null) {
                return new Verdict.Refused("group " + group + ": nginx -t refused service " + service + ": "
                        + errors.stream().map(ConfigError::describe).reduce((a, b) -> a + "; " + b).orElse(""));
            }
        }
        Optional<PublishedVersion> live = rollouts.live(group).value();
        Optional<PublishedVersion> target = rollouts.target(group).value();
        if (live.isEmpty() || target.isEmpty()) {
            return new Verdict.Pending("group " + group + " serves no config version yet");
        }
        if (target.get().version() != live.get().version()) {
            return new Verdict.Pending("group " + group + ": rollout of version " + target.get().version() + " in flight");
        }
        long version = live.get().version();
        ConfigBundle bundle = versions.storedBundle(group, version);
        String location = bundle.files().get(BundleRenderer.locationFile(service));
        Optional<RouteLine> route = routes.liveRoute(group, service);
        if (request.deleted()) {
            return location == null && route.isEmpty() ? agentsRun(group, version, 0)
                    : new Verdict.Pending("group " + group + ": live version " + version + " still routes " + service);
        }
        boolean routed = location != null ? location.contains(request.basePath())
                : route.isPresent() && route.get().basePath().equals(normalized(request.basePath()));
        if (!routed) {
            return new Verdict.Pending(status.map(s -> s.state() == GroupStatus.State.BLOCKED || s.state() == GroupStatus.State.PINNED
                            ? "group " + group + " is " + s.state() + ": " + s.message() + "; " : "").orElse("")
                    + "group " + group + ": live version " + version + " does not route " + service + " at " + request.basePath() + " yet");
        }
        String block = bundle.files().getOrDefault(BundleRenderer.upstreamFile(service), "");
        Optional<PeerNode> peers = peerNode(group, service);
        boolean needsPeerPush = false;
        for (String address : request.present()) {
            if (inBlock(block, address)) {
                continue;
            }
            if (peers.isEmpty() || !peers.get().addresses().contains(address)) {
                return new Verdict.Pending("group " + group + ": upstream " + address + " of " + service + " is not served yet");
            }
            needsPeerPush = true;
        }
        for (String address : request.absent()) {
            if (inBlock(block, address)) {
                return new Verdict.Pending("group " + group + ": upstream " + address + " of " + service + " is still served");
            }
            if (peers.isPresent() && peers.get().addresses().contains(address)) {
                return new Verdict.Pending("group " + group + ": upstream " + address + " of " + service + " is still in its peer list");
            }
            needsPeerPush |= peers.isPresent();
        }
        return agentsRun(group, version, needsPeerPush ? peers.get().mzxid() : 0);
    }

    /** Every agent of the group serves {@code version} and, when {@code peersZxid > 0}, pushed peer lists at least that new. */
    private Verdict agentsRun(String group, long version, long peersZxid) throws Exception {
        List<AgentStatus> running = agents.agents(group);
        if (running.isEmpty()) {
            return new Verdict.Pending("group " + group + " has no Nginx agent");
        }
        for (AgentStatus agent : running) {
            if (agent.runningVersion() != version) {
                return new Verdict.Pending("group " + group + ": agent " + agent.agentId() + " runs version " + agent.runningVersion()
                        + ", not " + version);
            }
            if (peersZxid > 0 && agent.peersZxid() < peersZxid) {
                return new Verdict.Pending("group " + group + ": agent " + agent.agentId() + " has not pushed the new peer list into Nginx yet"
                        + (agent.peerError() == null ? "" : ": " + agent.peerError()));
            }
        }
        return new Verdict.Live();
    }

    /** A base path as a route line holds it: "/" or without its trailing slash. */
    private static String normalized(String basePath) {
        return basePath.length() > 1 && basePath.endsWith("/") ? basePath.substring(0, basePath.length() - 1) : basePath;
    }

    private static boolean inBlock(String block, String address) {
        return Pattern.compile("(?m)^\\s*server\\s+" + Pattern.quote(address) + "[\\s;]").matcher(block).find();
    }

    private record PeerNode(List<String> addresses, long mzxid) {
    }

    private Optional<PeerNode> peerNode(String group, String service) throws Exception {
        return PeerBucket.readOne(client, layout, group, service)
                .map(stored -> new PeerNode(stored.list().peers().stream().map(p -> p.address()).toList(), stored.mzxid()));
    }
}
