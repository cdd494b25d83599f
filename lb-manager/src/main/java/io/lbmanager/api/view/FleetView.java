package io.lbmanager.api.view;

import io.lbmanager.upgrade.DeployBlock;
import io.lbmanager.upgrade.FleetStatus;
import io.lbmanager.upgrade.UpgradeView;

import java.util.List;

/** A group's Nginx fleet as the API shows it: image, instances, block, tasks, the current or last upgrade. */
public record FleetView(String group, String backend, String image, int instances, Block blocked, List<Task> tasks, Upgrade upgrade) {

    /** One Nginx task; {@code ready} is its agent's {@code /ready} answer right now. */
    public record Task(String taskId, String host, int trafficPort, int adminPort, String image, boolean running, boolean ready) {
    }

    /** Why a group refuses upgrades, who blocked it and when. */
    public record Block(String reason, String by, long atMillis) {
        public static Block of(DeployBlock block) {
            return block == null ? null : new Block(block.reason(), block.by(), block.atMillis());
        }
    }

    /** An upgrade: its state, where its step is, and for one that ended badly, why ({@code message}). */
    public record Upgrade(String id, String state, String phase, String fromImage, String toImage, int stepSize, int step, int totalSteps,
                          int crashBudget, String message, long startedAtMillis, long updatedAtMillis) {
        public static Upgrade of(UpgradeView upgrade) {
            return upgrade == null ? null : new Upgrade(upgrade.id(), name(upgrade.state()), name(upgrade.phase()), upgrade.fromImage(),
                    upgrade.toImage(), upgrade.stepSize(), upgrade.step(), upgrade.totalSteps(), upgrade.crashBudget(), upgrade.message(),
                    upgrade.startedAtMillis(), upgrade.updatedAtMillis());
        }

        public static List<Upgrade> of(List<UpgradeView> upgrades) {
            return upgrades.stream().map(Upgrade::of).toList();
        }

        private static String name(Enum<?> value) {
            return value == null ? null : value.name();
        }
    }

    public static FleetView of(FleetStatus status) {
        return new FleetView(status.group(), status.backend(), status.image(), status.instances(), Block.of(status.blocked()),
                status.tasks() == null ? null : status.tasks().stream().map(t -> new Task(t.taskId(), t.host(), t.trafficPort(),
                        t.adminPort(), t.image(), t.running(), t.ready())).toList(),
                Upgrade.of(status.upgrade()));
    }
}
