package io.lbmanager.agent;

import java.nio.file.Path;
import java.util.Optional;

/** What an agent that started without ZooKeeper says on {@code /ready} and in its log. */
final class DiskStart {

    private DiskStart() {
    }

    /** Serving the last good version from disk is serving: ready while Nginx answers with it and has every list it knows. */
    static Readiness readiness(ServedVersion disk, Optional<ServedVersion> served, boolean listsPushed, AgentSettings settings) {
        if (served.isEmpty() || !served.get().equals(disk)) {
            return new Readiness(false, "starting version " + disk.version() + " from disk (ZooKeeper does not answer); nginx does not "
                    + "serve it on " + settings.host() + ":" + settings.trafficPort() + " yet");
        }
        if (!listsPushed) {
            return new Readiness(false, "nginx serves version " + disk.version() + " from disk but its peer lists are not all pushed yet");
        }
        return new Readiness(true, "nginx serves version " + disk.version() + " from disk: ZooKeeper did not answer at start; "
                + "the group's current version may be newer");
    }

    static String nothingToServe(AgentSettings settings, Path lastGoodFile) {
        return "no config version to serve: ZooKeeper at " + settings.zkConnect() + " does not answer and " + lastGoodFile
                + " holds no version of group " + settings.group() + "; nginx stays down and takes no traffic until ZooKeeper answers";
    }
}
