package io.lbmanager.cli.lbm;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** What every lbm command can reach: the API client and the console, both set up by {@link Lbm} from the global options. */
abstract class LbmCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    Lbm lbm() {
        return (Lbm) spec.root().userObject();
    }

    ApiClient api() {
        return lbm().api();
    }

    Console console() {
        return lbm().console();
    }

    static String encode(String segment) {
        return java.net.URLEncoder.encode(segment, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}
