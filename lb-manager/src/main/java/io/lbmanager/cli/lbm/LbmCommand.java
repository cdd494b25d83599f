package io.lbmanager.cli.lbm;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;
import java.util.function.Consumer;

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

    /** Prints the API's answer: as it came with {@code --output json}, else as {@code text} writes it. */
    int answer(ApiClient.Reply reply, Consumer<ApiClient.Reply> text) {
        if (console().json()) {
            console().json(reply.body());
        } else {
            text.accept(reply);
        }
        return Lbm.OK;
    }

    static String encode(String segment) {
        return java.net.URLEncoder.encode(segment, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}
