package io.lbmanager.testsupport;

import io.dropwizard.core.Application;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import io.lbmanager.api.ApiConfig;
import io.lbmanager.api.CatalogApi;
import io.lbmanager.catalog.CatalogStore;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;

/**
 * Only the catalog API, wired as the manager wires it (one {@link CatalogApi#register} call), for
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
        CatalogApi.register(environment.jersey(), new CatalogStore(curator, new ZkLayout(config.zkRoot)), config.api);
    }
}
