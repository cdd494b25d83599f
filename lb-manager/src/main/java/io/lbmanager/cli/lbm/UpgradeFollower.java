package io.lbmanager.cli.lbm;

import io.lbmanager.api.view.FleetView;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Follows a group's upgrade until it ends. On a terminal it redraws one line per step in place;
 * into a file or a pipe it prints one line per change of state, phase or step, and the reason when
 * it ends; with {@code --output json} it prints only the fleet's final status. Succeeds only when
 * the upgrade ends SUCCEEDED.
 */
final class UpgradeFollower {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final ApiClient api;
    private final Console console;
    private final long pollMillis;
    private int drawnLines;
    private String lastKey;

    UpgradeFollower(ApiClient api, Console console, double pollSeconds) {
        this.api = api;
        this.console = console;
        this.pollMillis = Math.round(pollSeconds * 1000);
    }

    int follow(String group) throws InterruptedException {
        while (true) {
            ApiClient.Reply reply = api.get(FleetCommands.path(group));
            FleetView fleet = reply.as(FleetView.class);
            FleetView.Upgrade upgrade = fleet.upgrade();
            if (upgrade == null) {
                if (console.json()) {
                    console.json(reply.body());
                } else {
                    console.println("no upgrade");
                }
                return Lbm.FAILED;
            }
            boolean running = "RUNNING".equals(upgrade.state()) || "PAUSED".equals(upgrade.state());
            if (!console.json()) {
                if (console.terminal()) {
                    redraw(fleet, upgrade);
                } else {
                    printChange(upgrade, running);
                }
            }
            if (!running) {
                if (console.json()) {
                    console.json(reply.body());
                }
                return "SUCCEEDED".equals(upgrade.state()) ? Lbm.OK : Lbm.FAILED;
            }
            Thread.sleep(pollMillis);
        }
    }

    private void redraw(FleetView fleet, FleetView.Upgrade upgrade) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format("upgrade %s  %s -> %s  [%s]", upgrade.id(), upgrade.fromImage(), upgrade.toImage(), upgrade.state()));
        for (int i = 1; i <= upgrade.totalSteps(); i++) {
            String mark;
            String text = "";
            if ("SUCCEEDED".equals(upgrade.state()) || i < upgrade.step()) {
                mark = "done";
            } else if (i == upgrade.step()) {
                mark = switch (upgrade.state()) {
                    case "RUNNING" -> ">>>>";
                    case "PAUSED" -> "||||";
                    default -> upgrade.state().substring(0, Math.min(4, upgrade.state().length())).toLowerCase();
                };
                text = upgrade.message();
            } else {
                mark = "    ";
            }
            lines.add(String.format("  step %d/%d  %-4s %s", i, upgrade.totalSteps(), mark, text));
        }
        List<FleetView.Task> tasks = fleet.tasks() == null ? List.of() : fleet.tasks();
        lines.add(String.format("  tasks ready %d of %d", tasks.stream().filter(FleetView.Task::ready).count(), tasks.size()));
        console.printf("%s%s%n", drawnLines == 0 ? "" : "\u001B[" + drawnLines + "A\u001B[J", String.join(System.lineSeparator(), lines));
        drawnLines = lines.size();
    }

    private void printChange(FleetView.Upgrade upgrade, boolean running) {
        String key = upgrade.id() + " " + upgrade.state() + " " + Objects.toString(upgrade.phase(), "") + " " + upgrade.step();
        String now = LocalTime.now().format(CLOCK);
        if (lastKey == null) {
            console.println(String.format("upgrade %s  %s -> %s", upgrade.id(), upgrade.fromImage(), upgrade.toImage()));
        }
        if (!running) {
            console.println(String.format("%s [%s] %s", now, upgrade.state(), upgrade.message()));
        } else if (!key.equals(lastKey)) {
            console.println(String.format("%s step %d/%d %s %s: %s", now, upgrade.step(), upgrade.totalSteps(), upgrade.state(),
                    Objects.toString(upgrade.phase(), ""), upgrade.message()));
        }
        lastKey = key;
    }
}
