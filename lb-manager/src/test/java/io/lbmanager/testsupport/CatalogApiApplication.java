package io.lbmanager.testsupport;

import io.dropwizard.core.Application;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import io.lbmanager.api.ApiConfig;
import io.lbmanager.api.AuthApi;
import io.lbmanager.api.CatalogApi;
import io.lbmanager.catalog.CatalogStore;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;

import java.util.Map;

/**
 * Only the catalog API, wired as the manager wires it ({@link CatalogApi#register} and {@link AuthApi#register}), for
 * tests that prove a refused request leaves the whole ZooKeeper tree untouched: the whole manager
 * writes its own nodes meanwhile. Started by {@link ManagerExtension#catalogApiOnly}.
 */
public class CatalogApiApplication extends Application<CatalogApiApplication.Config> {

    public static class Config extends Configuration {
        public String zkConnect;
        public String zkRoot = ZkLayout.DEFAULT_ROOT;
        public ApiConfig api = new ApiConfig();
    }

    @Override
    public void run(Config config, Environment environment) {
        CuratorFramework curator = CuratorFrameworkFactory.newClient(config.zkConnect, new RetryOneTime(100));
        curator.start();
        environment.lifecycle().manage(new Managed() {
            @Override
            public void stop() {
                curator.close();
            }
        });
        ZkLayout layout = new ZkLayout(config.zkRoot);
        CatalogStore catalog = new CatalogStore(curator, layout);
        CatalogApi.register(environment.jersey(), catalog, config.api);
        environment.lifecycle().manage(AuthApi.register(environment.jersey(), curator, layout, catalog, config.api, Map.of()));
    }
}
