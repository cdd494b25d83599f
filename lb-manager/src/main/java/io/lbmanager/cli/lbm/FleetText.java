package io.lbmanager.cli.lbm;

import io.lbmanager.api.view.FleetView;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** A group's Nginx fleet and its upgrades as lines for people. */
final class FleetText {

    static final DateTimeFormatter UTC_SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private FleetText() {
    }

    static List<String> status(FleetView fleet) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format("group %s  backend %s  image %s  instances %d", fleet.group(), fleet.backend(), fleet.image(),
                fleet.instances()));
        if (fleet.blocked() != null) {
            lines.add(String.format("BLOCKED by %s: %s", fleet.blocked().by(), fleet.blocked().reason()));
        }
        for (FleetView.Task task : fleet.tasks() == null ? List.<FleetView.Task>of() : fleet.tasks()) {
            String taskId = task.taskId().length() > 60 ? task.taskId().substring(0, 60) : task.taskId();
            lines.add(String.format("  %-60s %s:%-5d admin %-5d %-8s %s", taskId, task.host(), task.trafficPort(), task.adminPort(),
                    task.ready() ? "ready" : task.running() ? "running" : "dead", task.image()));
        }
        FleetView.Upgrade upgrade = fleet.upgrade();
        if (upgrade != null) {
            lines.add(String.format("upgrade %s %s: %s -> %s, step %d/%d: %s", upgrade.id(), upgrade.state(), upgrade.fromImage(),
                    upgrade.toImage(), upgrade.step(), upgrade.totalSteps(), upgrade.message()));
        }
        return lines;
    }

    static String history(FleetView.Upgrade upgrade) {
        return String.format("%s  %-11s %s -> %s  %s", UTC_SECONDS.format(Instant.ofEpochMilli(upgrade.startedAtMillis())), upgrade.state(),
                upgrade.fromImage(), upgrade.toImage(), upgrade.message());
    }
}
