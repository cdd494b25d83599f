package io.lbmanager.zk;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Every ZooKeeper path lb-manager reads or writes, under one root (default {@code /lb-manager}):
 * <pre>
 * {root}/catalog/services/_{xx}/{serviceId}      ServiceRecord JSON; xx: the first byte of SHA-256(serviceId), hex
 * {root}/catalog/services/{serviceId}            ServiceRecord JSON as stored before buckets (still read, updated in place)
 * {root}/catalog/basepaths/{group}/{b64(path)}   owning service id (the lock that makes a base path unique per group)
 * {root}/catalog/groups/{group}                  group declaration (a group exists when this node does)
 * {root}/groups/{group}/versions/{0000000042}    ConfigBundle, gzip JSON
 * {root}/groups/{group}/signatures/{0000000042}  VersionSignature JSON: the manager's signature of that version (signing on)
 * {root}/groups/{group}/target                   PublishedVersion JSON: what every agent of the group should run
 * {root}/groups/{group}/live                     PublishedVersion JSON: the last version every agent confirmed
 * {root}/groups/{group}/rollout                  RolloutRecord JSON: the latest rollout (in flight or finished)
 * {root}/groups/{group}/rollouts/r0000000007     RolloutRecord JSON: finished rollouts, oldest pruned
 * {root}/groups/{group}/pin                      GroupPin JSON: present while the group is pinned
 * {root}/leader                                  Curator leader latch of the managers
 * {root}/groups/{group}/status                   GroupStatus JSON: last render/validate outcome
 * {root}/groups/{group}/agents/{agentId}         AgentStatus JSON, ephemeral
 * {root}/groups/{group}/peers/{serviceId}        PeerList JSON: the peers the Lua balancer picks from (dynamic upstreams)
 * {root}/groups/{group}/routes/chunks/{sha256}   gzip of one shard's sorted route lines, content-addressed, immutable
 * {root}/groups/{group}/routes/versions/{0000000042}  RoutesVersion JSON: the 64 chunk sha256s of one routing table, signed
 * {root}/groups/{group}/routes/target            PublishedVersion JSON: the routing table every agent should hold
 * {root}/groups/{group}/routes/live              PublishedVersion JSON: the last routing table every agent confirmed
 * {root}/groups/{group}/routes/rollout           RolloutRecord JSON (kind ROUTES): the latest routes rollout
 * {root}/groups/{group}/usage/{hour}-{agentId}   UsageRecord JSON: what one Nginx served in one hour (chargeback)
 * {root}/fleet/{group}/upgrade                   UpgradeRecord JSON: the current (or last) Nginx upgrade of the group
 * {root}/fleet/{group}/history/{h0000000042}     UpgradeRecord JSON of a finished upgrade, sequential
 * {root}/fleet/{group}/block                     DeployBlock JSON: the group refuses upgrades while it exists
 * {root}/fleet/{group}/docker                    DockerFleetBackend' state: active/pending generation, instances
 * {root}/hibernation/{serviceId}                 HibernatedService JSON: present while the service is hibernated or waking
 * {root}/auth/tokens/{tokenId}                    TokenRecord JSON: team, scopes, times, SHA-256 of the secret (never the secret)
 * {root}/auth/audit/e{0000000042}                 AuditEntry JSON, sequential; the newest are kept
 * </pre>
 * Curator x-discovery registrations live elsewhere, under their own base path (default {@code /services}).
 */
public record ZkLayout(String root) {

    public static final String DEFAULT_ROOT = "/lb-manager";
    private static final String SERVICE_BUCKET_PREFIX = "_";

    public ZkLayout {
        if (!root.startsWith("/") || (root.length() > 1 && root.endsWith("/"))) {
            throw new IllegalArgumentException("ZooKeeper root must start with / and not end with /: " + root);
        }
    }

    public String services() {
        return root + "/catalog/services";
    }

    /**
     * A service's node, in one of 256 buckets: at 50,000 services no listing of the catalog holds
     * more than about 200 names, far below ZooKeeper's 1 MB response limit (one listing of every
     * service id would pass it at about 20 characters per id).
     */
    public String service(String serviceId) {
        return serviceBucket(serviceId) + "/" + serviceId;
    }

    public String serviceBucket(String serviceId) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(serviceId.getBytes(StandardCharsets.UTF_8));
            return services() + "/" + SERVICE_BUCKET_PREFIX + java.util.HexFormat.of().toHexDigits(digest[0]);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Where a service was stored before buckets: such a node is still read, updated and deleted where it is. */
    public String flatService(String serviceId) {
        return services() + "/" + serviceId;
    }

    /** True for a child of {@link #services()} that is a bucket, not a service: no service id starts with "_". */
    public static boolean isServiceBucket(String childName) {
        return childName.startsWith(SERVICE_BUCKET_PREFIX);
    }

    public String basePaths(String group) {
        return root + "/catalog/basepaths/" + group;
    }

    public String basePathLock(String group, String basePath) {
        return basePaths(group) + "/" + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(basePath.getBytes(StandardCharsets.UTF_8));
    }

    /** Declared LB groups: the desired state, next to the services. */
    public String catalogGroups() {
        return root + "/catalog/groups";
    }

    public String catalogGroup(String group) {
        return catalogGroups() + "/" + group;
    }

    /** Runtime state per group: published versions, target, status, agents. */
    public String groups() {
        return root + "/groups";
    }

    public String group(String group) {
        return groups() + "/" + group;
    }

    public String groupVersions(String group) {
        return group(group) + "/versions";
    }

    public String groupVersion(String group, long version) {
        return groupVersions(group) + "/" + String.format("%010d", version);
    }

    public String groupSignatures(String group) {
        return group(group) + "/signatures";
    }

    public String groupSignature(String group, long version) {
        return groupSignatures(group) + "/" + String.format("%010d", version);
    }

    public String groupTarget(String group) {
        return group(group) + "/target";
    }

    public String groupLive(String group) {
        return group(group) + "/live";
    }

    public String groupRollout(String group) {
        return group(group) + "/rollout";
    }

    public String groupRolloutHistory(String group) {
        return group(group) + "/rollouts";
    }

    public String groupPin(String group) {
        return group(group) + "/pin";
    }

    public String leader() {
        return root + "/leader";
    }

    /** Written when an operator releases the discovery holds; every manager's guard watches it. */
    public String discoveryHoldRelease() {
        return root + "/discovery/hold-release";
    }

    public String groupStatus(String group) {
        return group(group) + "/status";
    }

    public String groupAgents(String group) {
        return group(group) + "/agents";
    }

    public String agent(String group, String agentId) {
        return groupAgents(group) + "/" + agentId;
    }

    /** Usage records of the group's agents, one node per agent and hour, pruned by the manager. */
    public String groupUsage(String group) {
        return group(group) + "/usage";
    }

    /** The name of {@code path} when it is a child of {@code parent}, else null. */
    public static String childName(String parent, String path) {
        if (!path.startsWith(parent + "/")) {
            return null;
        }
        String rest = path.substring(parent.length() + 1);
        return rest.isEmpty() || rest.contains("/") ? null : rest;
    }

    /** One node per service's peer list: the layout before peer buckets, still read by agents during an upgrade. */
    public String groupPeers(String group) {
        return group(group) + "/peers";
    }

    public String groupPeerList(String group, String serviceId) {
        return groupPeers(group) + "/" + serviceId;
    }

    /** The peer lists of a group's Lua balancers, in buckets ({@link io.lbmanager.peers.PeerBucket}). */
    public String groupPeerBuckets(String group) {
        return group(group) + "/peer-buckets";
    }

    public String groupPeerBucket(String group, String bucketName) {
        return groupPeerBuckets(group) + "/" + bucketName;
    }

    /** The routing table of a group (routed services, pushed into Nginx's Lua dict without a reload). */
    public String groupRoutes(String group) {
        return group(group) + "/routes";
    }

    public String routeChunks(String group) {
        return groupRoutes(group) + "/chunks";
    }

    public String routeChunk(String group, String sha256) {
        return routeChunks(group) + "/" + sha256;
    }

    public String routeVersions(String group) {
        return groupRoutes(group) + "/versions";
    }

    public String routeVersion(String group, long version) {
        return routeVersions(group) + "/" + String.format("%010d", version);
    }

    public String routesTarget(String group) {
        return groupRoutes(group) + "/target";
    }

    public String routesLive(String group) {
        return groupRoutes(group) + "/live";
    }

    public String routesRollout(String group) {
        return groupRoutes(group) + "/rollout";
    }

    /** The Nginx fleet of a group: upgrades, their history, deploy blocks, backend state. */
    public String fleet(String group) {
        return root + "/fleet/" + group;
    }

    public String fleetUpgrade(String group) {
        return fleet(group) + "/upgrade";
    }

    public String fleetHistory(String group) {
        return fleet(group) + "/history";
    }

    /** Prefix of a sequential history node; ZooKeeper appends the sequence number. */
    public String fleetHistoryEntryPrefix(String group) {
        return fleetHistory(group) + "/h";
    }

    public String fleetBlock(String group) {
        return fleet(group) + "/block";
    }

    public String fleetDockerState(String group) {
        return fleet(group) + "/docker";
    }

    public String tokens() {
        return root + "/auth/tokens";
    }

    public String token(String tokenId) {
        return tokens() + "/" + tokenId;
    }

    public String audit() {
        return root + "/auth/audit";
    }

    /** Prefix of an audit entry node; ZooKeeper appends the sequence number. */
    public String auditEntryPrefix() {
        return audit() + "/e";
    }

    /** Requests received through the Baragon API ({@code io.lbmanager.baragon}). */
    public String baragonRequests() {
        return root + "/baragon/requests";
    }

    public String baragonRequest(String requestId) {
        return baragonRequests() + "/" + requestId;
    }

    /** Services scaled to zero by {@code io.lbmanager.hibernation}; every agent reads them. */
    public String hibernation() {
        return root + "/hibernation";
    }

    public String hibernatedService(String serviceId) {
        return hibernation() + "/" + serviceId;
    }
}
