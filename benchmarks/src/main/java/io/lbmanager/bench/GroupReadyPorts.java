package io.lbmanager.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.lbmanager.testsupport.ManagerUnderTest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The traffic ports of a group's ready Nginx tasks, as an upstream load balancer would keep them:
 * the manager's {@code GET /api/v1/fleet/{group}} (tasks being retired are already left out, and
 * {@code ready} is each agent's {@code /ready}) read every {@code everyMillis}. On an error the
 * last list is kept.
 */
final class GroupReadyPorts implements AutoCloseable {

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final String fleetUrl;
    private final Thread thread;
    private volatile List<Integer> ports = List.of();

    GroupReadyPorts(String fleetUrl, long everyMillis) {
        this.fleetUrl = fleetUrl;
        refresh();
        thread = new Thread(() -> {
            while (running.get()) {
                refresh();
                try {
                    Thread.sleep(everyMillis);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "group-ready-ports");
        thread.setDaemon(true);
        thread.start();
    }

    private void refresh() {
        try {
            JsonNode status = ManagerUnderTest.json(ManagerUnderTest.get(fleetUrl));
            List<Integer> ready = new ArrayList<>();
            for (JsonNode task : status.path("tasks")) {
                if (task.path("running").asBoolean() && task.path("ready").asBoolean()) {
                    ready.add(task.path("trafficPort").asInt());
                }
            }
            ports = List.copyOf(ready);
        } catch (Exception e) {
            // keep the last list, as an upstream LB would
        }
    }

    List<Integer> ports() {
        return ports;
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.interrupt();
        thread.join(5_000);
    }
}
