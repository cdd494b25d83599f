package io.lbmanager.bench;

import java.util.function.Consumer;

/**
 * The floors the propagation rows compare with: one Nginx without the manager, a config write +
 * nginx -t + reload until served, and a peer list pushed to the Lua balancer until served.
 */
final class FloorScenario implements RigScenario {

    static final int MAX_SERVICES = 10_000;

    private final EndToEndBench.Options options;
    private final Consumer<Row> rows;
    private String floorText = "floor not measured";
    private String luaFloorText = "Lua floor not measured";

    FloorScenario(EndToEndBench.Options options, Consumer<Row> rows) {
        this.options = options;
        this.rows = rows;
    }

    @Override
    public void run(Rig rig, String n) throws Exception {
        if (rig.services() > MAX_SERVICES) {
            // Both floors start one Nginx with every service as files; at 50,000 that start took over 2 minutes (1.9 GB RSS).
            rows.accept(new Row("floor and Lua floor: not measured past " + MAX_SERVICES + " services (one Nginx with every service "
                    + "as files takes minutes to start); compare with the membership rows of this run", n, "-", "-", "-", "-", "-"));
            floorText = "floor not measured at this size";
            luaFloorText = "Lua floor not measured at this size";
            return;
        }
        floorText = floor("floor", "config write + nginx -t + reload until served (one Nginx, no manager)", n,
                new FloorNginx(rig.dir.resolve("floor"), rig.services(), rig.backend.port()));
        luaFloorText = floor("Lua floor", "peer list pushed to /_lbm/peers until served (one Nginx, no manager, no reload)", n,
                new LuaFloor(rig.dir.resolve("lua-floor"), rig.services(), rig.backend.port()));
    }

    /** "floor median / p99 ms", or that it was not measured. */
    String floorText() {
        return floorText;
    }

    String luaFloorText() {
        return luaFloorText;
    }

    /** Measures a floor, adds its row and returns "name median / p99 ms" for the rows that compare with it. */
    private String floor(String name, String what, String n, Floor floor) throws Exception {
        Stats stats;
        try (floor) {
            stats = Stats.of(floor.changes(options.runs()));
        }
        rows.accept(Row.ms(name + ": " + what, n, stats, "-", "-", Double.NaN));
        return name + " " + Stats.num(stats.median()) + " / " + Stats.num(stats.p99()) + " ms";
    }
}
