package io.lbmanager.agent;

import io.lbmanager.contract.AgentStatus;
import io.lbmanager.contract.AgentUpstreams;
import io.lbmanager.peers.NginxTraffic;
import io.lbmanager.peers.PeerSync;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The answer to {@code GET /upstreams} on the agent's admin port: see {@link AgentUpstreams}. */
final class UpstreamsReport implements AutoCloseable {

    private final AgentSettings settings;
    private final PeerSync peers;
    private final NginxTraffic traffic;

    UpstreamsReport(AgentSettings settings, PeerSync peers, Path nginxSocket) {
        this.settings = settings;
        this.peers = peers;
        this.traffic = new NginxTraffic(nginxSocket);
    }

    AgentUpstreams read() {
        if (!peers.nginxTakesPeers()) {
            return new AgentUpstreams(settings.agentId(), settings.group(), AgentStatus.UPSTREAMS_RELOAD, System.currentTimeMillis(), 0,
                    null, Map.of());
        }
        NginxTraffic.Reading reading = traffic.read();
        Map<String, Long> confirmed = peers.confirmedVersions();
        Map<String, AgentUpstreams.Service> services = new HashMap<>();
        reading.services().forEach((service, rates) -> services.put(service, new AgentUpstreams.Service(
                confirmed.getOrDefault(service, 0L), rates.counters().peers(), rates.counters().requests(), rates.counters().errors(),
                rates.requestsPerSecond(), rates.errorsPerSecond(), rates.counters().zoneLocal(), rates.counters().zoneSpilled())));
        if (reading.error() == null) {
            // An empty list is no entry in lbm_peers: Nginx holds no peer for the service, which it confirmed.
            confirmed.forEach((service, version) -> services.putIfAbsent(service,
                    new AgentUpstreams.Service(version, List.of(), 0, 0, 0, 0)));
        }
        return new AgentUpstreams(settings.agentId(), settings.group(), AgentStatus.UPSTREAMS_DYNAMIC, reading.sampledAtMillis(),
                reading.windowSeconds(), reading.error(), services);
    }

    @Override
    public void close() {
        traffic.close();
    }
}
