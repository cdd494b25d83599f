package io.lbmanager.cli.lbm;

import io.lbmanager.api.GroupRuntimeResource;
import io.lbmanager.api.view.ConfigErrorView;
import io.lbmanager.api.view.GroupStatusView;
import io.lbmanager.api.view.GroupSummary;
import io.lbmanager.api.view.RolloutView;
import io.lbmanager.validate.ConfigError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** What runs in an LB group and the operators' levers on its config: {@code /api/v1/groups}. */
@Command(name = "groups", description = "LB groups: config status, rollout history, versions and diffs, rollback, pin and unpin.",
        subcommands = {GroupsCommand.ListGroups.class, GroupsCommand.Status.class, GroupsCommand.History.class, GroupsCommand.Versions.class,
                GroupsCommand.Diff.class, GroupsCommand.Rollback.class, GroupsCommand.Pin.class, GroupsCommand.Unpin.class})
final class GroupsCommand extends LbmCommand {

    @Override
    public Integer call() {
        spec.commandLine().usage(console().err());
        return Lbm.USAGE;
    }

    static String path(String group) {
        return "/api/v1/groups/" + encode(group);
    }

    /** As the manager's logs and the offline validate command say it: {@code file:line (service id): message}. */
    static String describe(ConfigErrorView error) {
        return new ConfigError(error.file(), error.line(), error.serviceId(), error.message()).describe();
    }

    /** A command on one group that prints the API's answer, as JSON or as {@link #text}. */
    abstract static class OnGroup extends LbmCommand {
        @Parameters(index = "0", paramLabel = "GROUP")
        String group;

        int print(ApiClient.Reply reply) {
            return answer(reply, this::text);
        }

        abstract void text(ApiClient.Reply reply);
    }

    @Command(name = "list", description = "Every LB group and its services.")
    static final class ListGroups extends LbmCommand {
        @Override
        public Integer call() {
            return answer(api().get("/api/v1/groups"), reply -> {
                for (GroupSummary group : reply.as(GroupSummary[].class)) {
                    console().println(String.format("%-24s %d service(s)%s", group.name(), group.services().size(),
                            group.services().isEmpty() ? "" : ": " + String.join(", ", group.services())));
                }
            });
        }
    }

    @Command(name = "status", description = "Target and live config versions, the rollout in flight, pin, quarantined and held services, "
            + "and every agent with the version it serves.")
    static final class Status extends OnGroup {
        @Override
        public Integer call() {
            return print(api().get(path(group) + "/status"));
        }

        @Override
        void text(ApiClient.Reply reply) {
            GroupRuntimeResource.GroupRuntime runtime = reply.as(GroupRuntimeResource.GroupRuntime.class);
            console().println(String.format("group %s  target %s  live %s", runtime.group(), version(runtime.target()), version(runtime.live())));
            if (runtime.pinned() != null) {
                console().println(String.format("PINNED by %s: %s", runtime.pinned().by(), runtime.pinned().reason()));
            }
            if (runtime.rollout() != null) {
                RolloutView r = runtime.rollout();
                console().println(String.format("rollout %s %s: version %d -> %d (%s)", r.id(), r.state(), r.fromVersion(), r.version(), r.cause()));
            }
            GroupStatusView status = runtime.status();
            if (status != null) {
                console().println(String.format("render %s: %d service(s)%s", status.state(), status.services(),
                        status.message() == null ? "" : ": " + status.message()));
                for (Map.Entry<String, List<ConfigErrorView>> service : quarantined(status).entrySet()) {
                    console().println("  QUARANTINED " + service.getKey());
                    service.getValue().forEach(error -> console().println("    " + describe(error)));
                }
                (status.held() == null ? Map.<String, String>of() : status.held())
                        .forEach((service, reason) -> console().println("  HELD " + service + ": " + reason));
            }
            for (GroupRuntimeResource.AgentView agent : runtime.agents()) {
                console().println(String.format("  agent %-40s %s:%-5d version %-5d lag %-3d %-9s%s", agent.agentId(), agent.host(),
                        agent.trafficPort(), agent.runningVersion(), agent.lag(), agent.state(),
                        agent.error() == null ? "" : " " + agent.error()));
            }
        }

        private static Map<String, List<ConfigErrorView>> quarantined(GroupStatusView status) {
            return status.quarantined() == null ? Map.of() : status.quarantined();
        }

        private static String version(RolloutView.Version version) {
            return version == null ? "none" : "v" + version.version() + " (" + version.cause() + ")";
        }
    }

    @Command(name = "history", description = "The group's config rollouts, newest first, and how each ended.")
    static final class History extends OnGroup {
        @Option(names = "--limit", paramLabel = "N", description = "how many (1..200, default 50)")
        Integer limit;

        @Override
        public Integer call() {
            return print(api().get(path(group) + "/rollouts" + (limit == null ? "" : "?limit=" + limit)));
        }

        @Override
        void text(ApiClient.Reply reply) {
            for (RolloutView r : reply.as(RolloutView[].class)) {
                console().println(String.format("%s  %-11s v%d -> v%d  %s  by %s", FleetText.UTC_SECONDS.format(Instant.ofEpochMilli(r.startedAtMillis())),
                        r.state(), r.fromVersion(), r.version(), r.cause(), r.actor()));
                for (RolloutView.AgentFailure failure : r.failures() == null ? List.<RolloutView.AgentFailure>of() : r.failures()) {
                    console().println("    agent " + failure.agentId() + ": " + failure.reason());
                }
            }
        }
    }

    @Command(name = "versions", description = "The group's stored config versions.")
    static final class Versions extends OnGroup {
        @Override
        public Integer call() {
            return print(api().get(path(group) + "/versions"));
        }

        @Override
        void text(ApiClient.Reply reply) {
            for (RolloutView.Version v : reply.as(RolloutView.Version[].class)) {
                console().println(String.format("v%-6d %s  %s  %s", v.version(), FleetText.UTC_SECONDS.format(Instant.ofEpochMilli(v.publishedAtMillis())),
                        v.sha256().substring(0, Math.min(12, v.sha256().length())), v.cause()));
            }
        }
    }

    @Command(name = "diff", description = "The difference between two stored config versions of the group.")
    static final class Diff extends OnGroup {
        @Parameters(index = "1", paramLabel = "FROM")
        long from;
        @Parameters(index = "2", paramLabel = "TO")
        long to;

        @Override
        public Integer call() {
            return print(api().get(path(group) + "/diff?from=" + from + "&to=" + to));
        }

        @Override
        void text(ApiClient.Reply reply) {
            GroupRuntimeResource.VersionDiff diff = reply.as(GroupRuntimeResource.VersionDiff.class);
            console().println(diff.diff() == null || diff.diff().isBlank() ? "versions " + from + " and " + to + " render the same files"
                    : diff.diff().stripTrailing());
        }
    }

    @Command(name = "rollback", description = "Roll the group's config back to a stored VERSION; this pins the group.")
    static final class Rollback extends OnGroup {
        @Parameters(index = "1", paramLabel = "VERSION")
        long version;
        @Option(names = "--reason", required = true, paramLabel = "WHY")
        String reason;

        @Override
        public Integer call() {
            return print(api().call("POST", path(group) + "/rollback", new GroupRuntimeResource.RollbackRequest(version, reason)));
        }

        @Override
        void text(ApiClient.Reply reply) {
            RolloutView r = reply.as(RolloutView.class);
            console().println(String.format("group %s rolling back to version %d (rollout %s, %s); the group is pinned: lbm groups unpin %s",
                    group, r.version(), r.id(), r.state(), group));
        }
    }

    @Command(name = "pin", description = "Stop automatic rollouts of the group: changes wait until it is unpinned.")
    static final class Pin extends OnGroup {
        @Option(names = "--reason", required = true, paramLabel = "WHY")
        String reason;

        @Override
        public Integer call() {
            return print(api().call("PUT", path(group) + "/pin", new GroupRuntimeResource.PinRequest(reason)));
        }

        @Override
        void text(ApiClient.Reply reply) {
            RolloutView.Pin pin = reply.as(RolloutView.Pin.class);
            console().println("group " + group + " pinned by " + pin.by() + ": " + pin.reason());
        }
    }

    @Command(name = "unpin", description = "Let the group's rollouts go on.")
    static final class Unpin extends OnGroup {
        @Override
        public Integer call() {
            api().call("DELETE", path(group) + "/pin", null);
            return print(api().get(path(group) + "/status"));
        }

        @Override
        void text(ApiClient.Reply reply) {
            console().println("group " + group + " unpinned");
        }
    }
}
