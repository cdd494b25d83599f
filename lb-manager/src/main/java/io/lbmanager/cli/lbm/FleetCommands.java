package io.lbmanager.cli.lbm;

import io.lbmanager.api.FleetRequests;
import io.lbmanager.api.view.FleetView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;

/** The Nginx fleet of a group: {@code /api/v1/fleet/{group}}: status, upgrades, rollback, scale, deploy blocks. */
final class FleetCommands {

    private FleetCommands() {
    }

    static String path(String group) {
        return "/api/v1/fleet/" + LbmCommand.encode(group);
    }

    /** A command on one group's fleet. */
    abstract static class OnGroup extends LbmCommand {
        @Parameters(index = "0", paramLabel = "GROUP", description = "the LB group")
        String group;

        String fleet() {
            return path(group);
        }

        /** Prints the fleet's status (text or the JSON answer) as {@code reply} carries it. */
        int show(ApiClient.Reply reply) {
            return answer(reply, r -> FleetText.status(r.as(FleetView.class)).forEach(console()::println));
        }

        int showStatus() {
            return show(api().get(fleet()));
        }

        int follow() throws InterruptedException {
            return new UpgradeFollower(api(), console(), lbm().pollSeconds()).follow(group);
        }
    }

    @Command(name = "status", description = "Image, instances, block, tasks and the current upgrade of GROUP's Nginx fleet.")
    static final class Status extends OnGroup {
        @Override
        public Integer call() {
            return showStatus();
        }
    }

    @Command(name = "upgrade", description = {"Start a rolling upgrade of GROUP's Nginx to IMAGE and follow its steps until it ends.",
            "A new task that fails (exits, crash-loops, never starts) more than --crash-budget times fails it."})
    static final class Upgrade extends OnGroup {
        @Parameters(index = "1", paramLabel = "IMAGE", description = "the new Nginx image")
        String image;
        @Option(names = "--step", paramLabel = "N", description = "new instances per step")
        Integer step;
        @Option(names = "--bake", paramLabel = "SECONDS", description = "time each step's new tasks are probed")
        Integer bake;
        @Option(names = "--max-error-rate", paramLabel = "R", description = "largest share (0..1) of failed probes")
        Double maxErrorRate;
        @Option(names = "--crash-budget", paramLabel = "N", description = "failures of new tasks tolerated (0..999)")
        Integer crashBudget;
        @Option(names = "--no-wait", description = "start it and print the status, without following")
        boolean noWait;

        @Override
        public Integer call() throws InterruptedException {
            if (crashBudget != null && (crashBudget < 0 || crashBudget > 999)) {
                throw new UsageException("--crash-budget must be a whole number 0..999, got " + crashBudget);
            }
            api().call("POST", fleet() + "/upgrade", new FleetRequests.Upgrade(image, step, bake, maxErrorRate, crashBudget));
            return noWait ? showStatus() : follow();
        }
    }

    @Command(name = "watch", description = "Follow GROUP's current upgrade until it ends.")
    static final class Watch extends OnGroup {
        @Override
        public Integer call() throws InterruptedException {
            return follow();
        }
    }

    /** pause, resume, cancel: one POST on the upgrade in progress, then the status. */
    abstract static class UpgradeAction extends OnGroup {
        private final String action;

        UpgradeAction(String action) {
            this.action = action;
        }

        @Override
        public Integer call() {
            api().call("POST", fleet() + "/upgrade/" + action, null);
            return showStatus();
        }
    }

    @Command(name = "pause", description = "Pause GROUP's upgrade in progress.")
    static final class Pause extends UpgradeAction {
        Pause() {
            super("pause");
        }
    }

    @Command(name = "resume", description = "Resume GROUP's paused upgrade.")
    static final class Resume extends UpgradeAction {
        Resume() {
            super("resume");
        }
    }

    @Command(name = "cancel", description = "Cancel GROUP's upgrade in progress.")
    static final class Cancel extends UpgradeAction {
        Cancel() {
            super("cancel");
        }
    }

    @Command(name = "rollback", description = "Roll back GROUP's upgrade in progress, or its last successful one, and follow it.")
    static final class Rollback extends OnGroup {
        @Option(names = "--no-wait", description = "start it and print the status, without following")
        boolean noWait;

        @Override
        public Integer call() throws InterruptedException {
            api().call("POST", fleet() + "/rollback", null);
            return noWait ? showStatus() : follow();
        }
    }

    @Command(name = "scale", description = "Set how many Nginx instances GROUP runs.")
    static final class Scale extends OnGroup {
        @Parameters(index = "1", paramLabel = "INSTANCES")
        int instances;

        @Override
        public Integer call() {
            return show(api().call("PUT", fleet() + "/scale", new FleetRequests.Scale(instances)));
        }
    }

    @Command(name = "block", description = "Refuse upgrades of GROUP until it is unblocked.")
    static final class Block extends OnGroup {
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "REASON", description = "why (the words are joined)")
        List<String> reason;

        @Override
        public Integer call() {
            String words = String.join(" ", reason);
            return answer(api().call("PUT", fleet() + "/block", new FleetRequests.Block(words)),
                    r -> console().println("group " + group + " blocked: " + words));
        }
    }

    @Command(name = "unblock", description = "Allow upgrades of GROUP again.")
    static final class Unblock extends OnGroup {
        @Override
        public Integer call() {
            api().call("DELETE", fleet() + "/block", null);
            if (console().json()) {
                return showStatus();
            }
            console().println("group " + group + " unblocked");
            return Lbm.OK;
        }
    }

    @Command(name = "history", description = "GROUP's past upgrades: when, state, images, reason.")
    static final class History extends OnGroup {
        @Override
        public Integer call() {
            return answer(api().get(fleet() + "/history"), r -> {
                for (FleetView.Upgrade upgrade : r.as(FleetView.Upgrade[].class)) {
                    console().println(FleetText.history(upgrade));
                }
            });
        }
    }
}
