package io.lbmanager.api;

import io.dropwizard.core.Application;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import io.lbmanager.catalog.CatalogStore;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;

/** The API wired exactly as the real Application must wire it: one {@link CatalogApi#register} call. */
public class ApiTestApplication extends Application<ApiTestApplication.Config> {

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
