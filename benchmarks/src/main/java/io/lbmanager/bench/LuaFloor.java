package io.lbmanager.bench;

import io.lbmanager.agent.NginxProcess;
import io.lbmanager.agent.ServedVersion;
import io.lbmanager.agent.VersionDirectories;
import io.lbmanager.catalog.ServiceDefinition;
import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.peers.NginxPeersEndpoint;
import io.lbmanager.render.AgentInclude;
import io.lbmanager.render.BundleRenderer;
import io.lbmanager.render.TemplateSet;
import io.lbmanager.render.UpstreamMode;
import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.Http;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The floor of the no-reload path, with no manager, ZooKeeper or agent in the way: one Nginx on
 * this host running the Lua balancer with a config of the same size; replace one service's peer
 * list through {@code /_lbm/peers} and poll until the route answers as the new list says.
 */
final class LuaFloor implements Floor {

    private final VersionDirectories dirs;
    private final NginxProcess nginx;
    private final NginxPeersEndpoint endpoint;
    private final int port;
    private final int backendPort;

    LuaFloor(Path root, int services, int backendPort) throws Exception {
        this.backendPort = backendPort;
        dirs = new VersionDirectories(root);
        nginx = new NginxProcess("/usr/sbin/nginx", dirs);
        endpoint = new NginxPeersEndpoint(dirs.peersSocket(), Duration.ofSeconds(10));
        port = Http.freePort();
        BundleRenderer renderer = new BundleRenderer(TemplateSet.load(Catalogs.templatesDir()),
                UpstreamMode.dynamic(UpstreamMode.DEBIAN_MODULES_DIR, 32));
        ConfigBundle bundle = Catalogs.render(renderer, Catalogs.snapshot(services, 1).withService(
                new ServiceRecord(new ServiceDefinition("floor", List.of("bench"), "/floor", List.of(Catalogs.GROUP), Map.of(), "floor"),
                        List.of(), "bench", 0L)));
        ServedVersion served = new ServedVersion(1, bundle.sha256());
        dirs.switchLiveTo(dirs.write(bundle, served,
                AgentInclude.render("127.0.0.1", port, dirs.peersSocket().toString(), served.version(), bundle.sha256())));
        nginx.start();
        Await.await("the Lua floor nginx serves", Duration.ofSeconds(120), () -> Http.tryGet(port, "/floor/x").status() == 503);
    }

    /** One change: milliseconds from the push until the route answers as the new list says. */
    @Override
    public long change(boolean addBackend) throws Exception {
        long start = System.nanoTime();
        NginxPeersEndpoint.Answer answer = endpoint.post(addBackend ? "floor 127.0.0.1:" + backendPort + ":1\n" : "floor\n");
        if (!answer.ok()) {
            throw new IllegalStateException("the peers endpoint answered " + answer.status() + ": " + answer.body());
        }
        int wanted = addBackend ? 200 : 503;
        while (Http.tryGet(port, "/floor/x").status() != wanted) {
            if (System.nanoTime() - start > Duration.ofSeconds(30).toNanos()) {
                throw new AssertionError("the Lua floor nginx never served the change");
            }
            Thread.sleep(1);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Override
    public long pauseMillis() {
        return 20;
    }

    @Override
    public void close() {
        endpoint.close();
        nginx.close();
    }
}
