package io.lbmanager.api;

import io.lbmanager.api.view.ConfigErrorView;
import io.lbmanager.api.view.UpstreamsView;
import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.catalog.Upstream;
import io.lbmanager.contract.AgentStatus;
import io.lbmanager.contract.AgentUpstreams;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.peers.AgentReports;
import io.lbmanager.peers.PublishedPeers;
import io.lbmanager.render.BundleRenderer;
import io.lbmanager.routes.PublishedRoutes;
import io.lbmanager.rollout.AgentDirectory;
import io.lbmanager.rollout.GroupStatus;
import io.lbmanager.rollout.GroupStatusStore;
import io.lbmanager.rollout.PublishedBundles;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.snapshot.DiscoveredInstance;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds {@link UpstreamsView}s: per group, the published peer list (dynamic mode) or the rendered
 * upstream block of the target version (reload mode, and services the Lua balancer cannot take),
 * and what each agent says its Nginx routes to.
 */
final class UpstreamsViews {

    private static final Pattern SERVER = Pattern.compile("^\\s*server\\s+(\\S+?)(?:\\s+[^;]*)?;", Pattern.MULTILINE);
    private static final Pattern WEIGHT = Pattern.compile("\\sweight=(\\d{1,3})[\\s;]");
    private static final String PLACEHOLDER = "0.0.0.1";
    private static final Pattern ZONED_PEER = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3}){3}):(\\d{1,5}):(\\d{1,3}):([a-z0-9-]{1,32})");

    private final GroupStatusStore statuses;
    private final PublishedBundles bundles;
    private final AgentDirectory agents;
    private final PublishedPeers publishedPeers;
    private final AgentReports reports;
    private final PublishedRoutes routes;

    UpstreamsViews(GroupStatusStore statuses, PublishedBundles bundles, AgentDirectory agents, PublishedPeers publishedPeers,
                   AgentReports reports, PublishedRoutes routes) {
        this.statuses = statuses;
        this.bundles = bundles;
        this.agents = agents;
        this.publishedPeers = publishedPeers;
        this.reports = reports;
        this.routes = routes;
    }

    /** What is known about one group, read once per request however many services are shown. */
    private record GroupFacts(Optional<GroupStatus> status, Optional<PublishedBundles.Published> target, Set<String> routed,
                              Map<String, PublishedPeers.Published> peerLists, List<AgentStatus> agents,
                              Map<String, AgentReports.Report> reports) {
    }

    /** Reads each group's facts once for a whole request. */
    final class Request {
        private final CatalogSnapshot snapshot;
        private final Map<String, GroupFacts> facts = new HashMap<>();

        Request(CatalogSnapshot snapshot) {
            this.snapshot = snapshot;
        }

        UpstreamsView.Service service(ServiceRecord service, boolean withAgents) throws Exception {
            List<UpstreamsView.Group> groups = new ArrayList<>();
            for (String group : service.definition().groups()) {
                groups.add(group(service, group, factsOf(group), withAgents));
            }
            return new UpstreamsView.Service(service.id(), sum(groups.stream().map(UpstreamsView.Group::traffic).toList()), groups);
        }

        private GroupFacts factsOf(String group) throws Exception {
            GroupFacts known = facts.get(group);
            if (known == null) {
                List<AgentStatus> groupAgents = agents.agents(group);
                known = new GroupFacts(statuses.read(group), bundles.target(group), routes.targetServices(group),
                        publishedPeers.of(group), groupAgents, reports.of(groupAgents));
                facts.put(group, known);
            }
            return known;
        }

        private UpstreamsView.Group group(ServiceRecord service, String group, GroupFacts facts, boolean withAgents) {
            String id = service.id();
            Long configVersion = facts.target().map(t -> t.version().version()).orElse(null);
            if (facts.status().isPresent() && facts.status().get().quarantined().containsKey(id)) {
                List<ConfigErrorView> errors = ConfigErrorView.of(facts.status().get().quarantined().get(id));
                return new UpstreamsView.Group(group, null, UpstreamsView.State.QUARANTINED,
                        "quarantined: left out of the group's config, Nginx does not route it", errors, null, null, configVersion,
                        List.of(), 0, facts.agents().size(), null, null);
            }
            String heldReason = facts.status().map(s -> s.held().get(id)).orElse(null);
            boolean inTarget = facts.target().isPresent()
                    && (facts.target().get().bundle().files().containsKey(BundleRenderer.locationFile(id))
                    || facts.routed().contains(id));
            // A peer list is published before the config with the service's location: until then Nginx answers 404.
            PublishedPeers.Published published = inTarget ? facts.peerLists().get(id) : null;
            List<UpstreamsView.Peer> rendered = published == null ? renderedPeers(facts.target(), id) : null;
            String mode = published != null ? "dynamic" : "rendered";
            List<UpstreamsView.Peer> peers = published != null
                    ? published.peers().stream().map(p -> peer(service, p.host(), p.port(), p.weight(),
                            published.zones().get(p.host() + ":" + p.port()))).toList()
                    : rendered;
            if (peers == null || !inTarget) {
                return new UpstreamsView.Group(group, null, UpstreamsView.State.NOT_PUBLISHED,
                        "not in the group's published config yet", null, heldReason, null, configVersion, List.of(), 0,
                        facts.agents().size(), null, null);
            }
            List<UpstreamsView.Agent> agentViews = new ArrayList<>();
            for (AgentStatus agent : facts.agents()) {
                agentViews.add(agent(service, agent, facts.reports().get(agent.agentId()), published, peers, configVersion));
            }
            UpstreamsView.State state = peers.isEmpty() ? UpstreamsView.State.NO_UPSTREAMS
                    : heldReason != null ? UpstreamsView.State.HELD : UpstreamsView.State.ROUTED;
            String message = switch (state) {
                case NO_UPSTREAMS -> UpstreamsView.NO_UPSTREAMS_MESSAGE;
                case HELD -> "held: " + heldReason;
                default -> null;
            };
            int current = (int) agentViews.stream().filter(UpstreamsView.Agent::current).count();
            Traffic traffic = new Traffic();
            agentViews.forEach(a -> traffic.add(a.traffic()));
            return new UpstreamsView.Group(group, mode, state, message, null, heldReason, published == null ? null : published.version(),
                    configVersion, peers, current, agentViews.size(), withAgents ? agentViews : null, traffic.view());
        }

        private UpstreamsView.Agent agent(ServiceRecord service, AgentStatus agent, AgentReports.Report report,
                                          PublishedPeers.Published published, List<UpstreamsView.Peer> peers, Long configVersion) {
            AgentUpstreams.Service counted = report == null || report.upstreams() == null ? null
                    : report.upstreams().services().get(service.id());
            UpstreamsView.Traffic traffic = counted == null ? null : traffic(counted, report.upstreams().windowSeconds());
            String error = report == null ? null : report.error() != null ? report.error() : report.upstreams().error();
            if (published != null) {
                Long confirmed = counted == null ? null : counted.peerListVersion();
                List<UpstreamsView.Peer> routesTo = counted == null ? null
                        : counted.peers().stream().map(p -> parsePeer(service, p)).filter(p -> p != null).toList();
                // Its status node says so too when every peer change up to the list's zxid reached its Nginx.
                boolean listServed = (confirmed != null && confirmed == published.version()) || agent.peersZxid() >= published.version();
                boolean current = listServed && configVersion != null && agent.runningVersion() == configVersion;
                UpstreamsView.ZoneRouting zoneRouting = counted == null || counted.zoneLocal() == null ? null
                        : new UpstreamsView.ZoneRouting(counted.zoneLocal(), counted.zoneSpilled() == null ? 0 : counted.zoneSpilled());
                return new UpstreamsView.Agent(agent.agentId(), agent.host(), agent.trafficPort(), current, confirmed,
                        agent.runningVersion(), routesTo, traffic, error, agent.zone(), zoneRouting);
            }
            boolean current = configVersion != null && agent.runningVersion() == configVersion;
            return new UpstreamsView.Agent(agent.agentId(), agent.host(), agent.trafficPort(), current, null, agent.runningVersion(),
                    current ? peers : null, traffic, error, agent.zone(), null);
        }

        /** The servers of {@code upstreams/<id>.conf} in the target bundle; null when it has none (not rendered, or no upstreams). */
        private List<UpstreamsView.Peer> renderedPeers(Optional<PublishedBundles.Published> target, String id) {
            if (target.isEmpty()) {
                return null;
            }
            ConfigBundle bundle = target.get().bundle();
            String file = bundle.files().get(BundleRenderer.upstreamFile(id));
            if (file == null) {
                // No upstream file: either not in the bundle at all, or rendered without upstreams (the location answers 503).
                return List.of(); // rendered without upstreams: the location answers 503
            }
            if (file.contains("balancer_by_lua")) {
                return null; // balanced by Lua, its peer list not published yet
            }
            List<UpstreamsView.Peer> peers = new ArrayList<>();
            Matcher server = SERVER.matcher(file);
            while (server.find()) {
                Matcher weight = WEIGHT.matcher(server.group(0) + " ");
                String address = server.group(1);
                if (!address.equals(PLACEHOLDER)) {
                    UpstreamsView.Peer peer = parsePeer(snapshot.services().get(id), address + ":" + (weight.find() ? weight.group(1) : "1"));
                    if (peer != null) {
                        peers.add(peer);
                    }
                }
            }
            return peers;
        }

        /** {@code host:port:weight} (IPv6 in brackets) or {@code ipv4:port:weight:zone}; null if it is neither. */
        private UpstreamsView.Peer parsePeer(ServiceRecord service, String token) {
            Matcher zoned = ZONED_PEER.matcher(token);
            if (zoned.matches()) {
                return peer(service, zoned.group(1), Integer.parseInt(zoned.group(2)), Integer.parseInt(zoned.group(3)), zoned.group(4));
            }
            int weightAt = token.lastIndexOf(':');
            int portAt = weightAt < 0 ? -1 : token.lastIndexOf(':', weightAt - 1);
            if (portAt <= 0) {
                return null;
            }
            try {
                return peer(service, token.substring(0, portAt), Integer.parseInt(token.substring(portAt + 1, weightAt)),
                        Integer.parseInt(token.substring(weightAt + 1)));
            } catch (NumberFormatException e) {
                return null;
            }
        }

        private UpstreamsView.Peer peer(ServiceRecord service, String host, int port, int weight) {
            return peer(service, host, port, weight, null);
        }

        private UpstreamsView.Peer peer(ServiceRecord service, String host, int port, int weight, String zone) {
            return new UpstreamsView.Peer(host, port, weight, sourceOf(service, host, port), zone);
        }

        private String sourceOf(ServiceRecord service, String host, int port) {
            if (service == null) {
                return "unknown";
            }
            for (Upstream upstream : service.staticUpstreams()) {
                if (upstream.host().equals(host) && upstream.port() == port) {
                    return "static";
                }
            }
            String name = service.definition().discoveryName();
            for (DiscoveredInstance instance : snapshot.discovered().getOrDefault(name, List.of())) {
                if (instance.address().equals(host) && instance.port() == port) {
                    return snapshot.held().containsKey(name) ? "held" : "discovery";
                }
            }
            return "unknown";
        }
    }

    private static UpstreamsView.Traffic traffic(AgentUpstreams.Service counted, double windowSeconds) {
        Traffic traffic = new Traffic();
        traffic.add(new UpstreamsView.Traffic(counted.requestsPerSecond(), 0, counted.requests(), counted.errors(), windowSeconds),
                counted.errorsPerSecond());
        return traffic.view();
    }

    private static UpstreamsView.Traffic sum(List<UpstreamsView.Traffic> parts) {
        Traffic traffic = new Traffic();
        parts.forEach(traffic::add);
        return traffic.view();
    }

    /** Adds up traffic of several Nginx or groups; the error rate is errors per second over requests per second. */
    private static final class Traffic {
        private boolean any;
        private double requestsPerSecond;
        private double errorsPerSecond;
        private long requests;
        private long errors;
        private double window;

        void add(UpstreamsView.Traffic part) {
            if (part != null) {
                add(part, part.errorRate() * part.requestsPerSecond());
            }
        }

        void add(UpstreamsView.Traffic part, double partErrorsPerSecond) {
            any = true;
            requestsPerSecond += part.requestsPerSecond();
            errorsPerSecond += partErrorsPerSecond;
            requests += part.requests();
            errors += part.errors();
            window = Math.max(window, part.windowSeconds());
        }

        UpstreamsView.Traffic view() {
            if (!any) {
                return null;
            }
            double rate = requestsPerSecond > 0 ? Math.min(1, errorsPerSecond / requestsPerSecond) : 0;
            return new UpstreamsView.Traffic(round(requestsPerSecond), round(rate), requests, errors, window);
        }

        private static double round(double value) {
            return Math.round(value * 1000) / 1000.0;
        }
    }

    Request request(CatalogSnapshot snapshot) {
        return new Request(snapshot);
    }
}
