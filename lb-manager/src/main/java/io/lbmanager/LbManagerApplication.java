package io.lbmanager;

import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;

public class LbManagerApplication extends Application<LbManagerConfiguration> {

    public static void main(String[] args) throws Exception {
        new LbManagerApplication().run(args);
    }

    @Override
    public String getName() {
        return "lb-manager";
    }

    @Override
    public void initialize(Bootstrap<LbManagerConfiguration> bootstrap) {
    }

    @Override
    public void run(LbManagerConfiguration config, Environment environment) {
    }
}
