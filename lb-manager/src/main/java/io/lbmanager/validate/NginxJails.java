package io.lbmanager.validate;

import io.lbmanager.config.NginxConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/** The jail the configuration chooses, checked once at start and said in the log. */
public final class NginxJails {

    private static final Logger LOG = LoggerFactory.getLogger(NginxJails.class);

    private NginxJails() {
    }

    public static NginxJail configured(NginxConfig config) {
        NginxJail jail = NginxJail.of(config.jail, config.bwrapBinary, config.luaModulesDir);
        if (jail instanceof NginxJail.Unjailed) {
            LOG.warn("nginx jail=none: nginx -t of proposed templates and team values runs as the manager's user, "
                    + "with the host's files and network (nginx.jail: bwrap jails it)");
            return jail;
        }
        Optional<String> missing = jail.unavailable();
        if (missing.isPresent()) {
            LOG.error("nginx jail=bwrap unavailable: no config is checked or published until it runs: {}", missing.get());
        } else {
            LOG.info("nginx jail={}", jail.describe());
        }
        return jail;
    }
}
