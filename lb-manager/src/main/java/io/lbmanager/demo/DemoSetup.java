package io.lbmanager.demo;

import io.dropwizard.lifecycle.Managed;
import io.lbmanager.catalog.CatalogStore;
import io.lbmanager.catalog.ServiceDefinition;
import io.lbmanager.contract.AgentState;
import io.lbmanager.contract.AgentStatus;
import io.lbmanager.contract.PublishedVersion;
import io.lbmanager.rollout.AgentDirectory;
import io.lbmanager.rollout.VersionPublisher;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The demo's service team: two sample backends registered through Curator's ServiceDiscovery
 * under the name {@code hello}, and a service definition routing {@code /hello} on the demo group.
 * Prints where to send requests once every Nginx of the group serves the config.
 */
public final class DemoSetup implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(DemoSetup.class);
    private static final String SERVICE = "hello";

    private final CuratorFramework client;
    private final String discoveryBasePath;
    private final CatalogStore catalog;
    private final VersionPublisher publisher;
    private final AgentDirectory agents;
    private final DemoBanner banner;
    private final Runnable removeFleet;
    private final List<SampleBackend> backends = new ArrayList<>();
    private ServiceDiscovery<DemoPayload> discovery;
    private Thread announcer;

    public DemoSetup(CuratorFramework client, String discoveryBasePath, CatalogStore catalog, VersionPublisher publisher,
                     AgentDirectory agents, DemoBanner banner, Runnable removeFleet) {
        this.client = client;
        this.discoveryBasePath = discoveryBasePath;
        this.catalog = catalog;
        this.publisher = publisher;
        this.agents = agents;
        this.banner = banner;
        this.removeFleet = removeFleet;
    }

    @Override
    public void start() throws Exception {
        catalog.putService(new ServiceDefinition(SERVICE, List.of("demo-team@example.com"), "/" + SERVICE,
                List.of(DemoCommand.GROUP), Map.of("stripBasePath", true), SERVICE), "demo");
        discovery = ServiceDiscoveryBuilder.builder(DemoPayload.class).client(client).basePath(discoveryBasePath).build();
        discovery.start();
        for (String name : List.of("backend-1", "backend-2")) {
            SampleBackend backend = SampleBackend.start(name);
            backends.add(backend);
            discovery.registerService(ServiceInstance.<DemoPayload>builder()
                    .name(SERVICE).address("127.0.0.1").port(backend.port())
                    .payload(new DemoPayload("demo-team", name)).build());
        }
        announcer = new Thread(this::announceWhenServing, "demo-announcer");
        announcer.setDaemon(true);
        announcer.start();
    }

    @Override
    public void stop() throws Exception {
        if (announcer != null) {
            announcer.interrupt();
        }
        if (discovery != null) {
            discovery.close();
        }
        backends.forEach(SampleBackend::close);
        removeFleet.run();
        LOG.info("demo stopped its backends and removed its Nginx containers");
    }

    private void announceWhenServing() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Optional<PublishedVersion> target = publisher.target(DemoCommand.GROUP);
                List<AgentStatus> ready = agents.agents(DemoCommand.GROUP).stream()
                        .filter(a -> a.state() == AgentState.READY && target.isPresent() && a.runningVersion() == target.get().version())
                        .toList();
                if (ready.size() >= 2) {
                    System.out.println(banner.render(DemoCommand.GROUP, SERVICE, ready));
                    System.out.flush();
                    return;
                }
                Thread.sleep(500);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("demo could not check its group: {}", e.getMessage());
        }
    }
}
