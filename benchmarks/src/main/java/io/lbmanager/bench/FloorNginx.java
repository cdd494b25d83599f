package io.lbmanager.bench;

import io.lbmanager.agent.NginxProcess;
import io.lbmanager.agent.ServedVersion;
import io.lbmanager.agent.VersionDirectories;
import io.lbmanager.catalog.ServiceDefinition;
import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.catalog.Upstream;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.render.AgentInclude;
import io.lbmanager.render.BundleRenderer;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.Http;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The floor every reload-based system pays, measured with no manager, ZooKeeper or agent in the
 * way: one Nginx on this host with a config of the same size; write a new config directory,
 * {@code nginx -t}, switch, {@code nginx -s reload}, and poll until the changed route answers.
 * Both configs are rendered before the clock starts (the floor of a hand-written config).
 */
final class FloorNginx implements Floor {

    private final VersionDirectories dirs;
    private final NginxProcess nginx;
    private final int port;
    private final ConfigBundle withBackend;
    private final ConfigBundle without;
    private long version = 1;

    FloorNginx(Path root, int services, int backendPort) throws Exception {
        dirs = new VersionDirectories(root);
        nginx = new NginxProcess("/usr/sbin/nginx", dirs);
        port = Http.freePort();
        BundleRenderer renderer = Catalogs.renderer();
        CatalogSnapshot base = Catalogs.snapshot(services, 1);
        without = Catalogs.render(renderer, base.withService(probe(List.of())));
        withBackend = Catalogs.render(renderer, base.withService(probe(List.of(new Upstream("127.0.0.1", backendPort)))));
        Path first = write(without);
        dirs.switchLiveTo(first);
        nginx.start();
        Await.await("the floor nginx serves", Duration.ofSeconds(120), () -> Http.tryGet(port, "/floor/x").status() == 503);
    }

    private static ServiceRecord probe(List<Upstream> upstreams) {
        return new ServiceRecord(new ServiceDefinition("floor", List.of("bench"), "/floor", List.of(Catalogs.GROUP), Map.of(), "floor"),
                upstreams, "bench", 0L);
    }

    private Path write(ConfigBundle bundle) throws Exception {
        ServedVersion served = new ServedVersion(version++, bundle.sha256());
        return dirs.write(bundle, served, AgentInclude.render("127.0.0.1", port, served.version(), bundle.sha256()));
    }

    /** One change: milliseconds from writing the config until the route answers as the new config says. */
    @Override
    public long change(boolean addBackend) throws Exception {
        long start = System.nanoTime();
        ConfigBundle bundle = addBackend ? withBackend : without;
        Path next = write(bundle);
        NginxProcess.CommandResult test = nginx.test(next);
        if (!test.succeeded()) {
            throw new IllegalStateException("nginx -t refused the floor config: " + test.errorText());
        }
        dirs.switchLiveTo(next);
        NginxProcess.CommandResult reload = nginx.reload(new ServedVersion(version - 1, bundle.sha256()));
        if (!reload.succeeded()) {
            throw new IllegalStateException("reload failed: " + reload.errorText());
        }
        int wanted = addBackend ? 200 : 503;
        while (Http.tryGet(port, "/floor/x").status() != wanted) {
            if (System.nanoTime() - start > Duration.ofSeconds(120).toNanos()) {
                throw new AssertionError("the floor nginx never served the change");
            }
            Thread.sleep(2);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Override
    public long pauseMillis() {
        return 100;
    }

    @Override
    public void close() {
        nginx.close();
    }
}
