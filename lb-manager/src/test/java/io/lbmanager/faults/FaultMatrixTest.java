package io.lbmanager.faults;

import com.fasterxml.jackson.databind.JsonNode;
import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.FaultBench;
import io.lbmanager.testsupport.HostAgent;
import io.lbmanager.testsupport.Http;
import io.lbmanager.testsupport.Load;
import io.lbmanager.testsupport.ManagerProcess;
import io.lbmanager.testsupport.NginxWrappers;
import io.lbmanager.testsupport.RegistrantProcess;
import io.lbmanager.testsupport.TinyBackend;
import org.apache.curator.x.discovery.ServiceInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static io.lbmanager.testsupport.FaultBench.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fault matrix's cheap rows (RELIABILITY.md), each on a fresh {@link FaultBench}: one ZooKeeper
 * server, two managers in their own JVMs, two Nginx with agents on this host, a Curator registrant,
 * bounded load through every ready Nginx. Each row prints its measured line ({@code FAULT-MATRIX |...})
 * and holds the target: no failed request while an Nginx of the group stays up, no registration lost.
 * The rows that need a 3-server ensemble or minutes run outside CI: {@link FaultMatrixEnsembleTest}.
 */
class FaultMatrixTest {

    private static final Duration RECOVERY = Duration.ofSeconds(90);
    private static final Duration MEMBERSHIP_TARGET = Duration.ofSeconds(5);

    @TempDir
    Path dir;
    private FaultBench bench;

    private Path mounted;

    @AfterEach
    void closeBench() throws Exception {
        if (bench != null) {
            bench.close();
        }
        if (mounted != null) {
            // lazy: a process of the bench that has not quite exited keeps the mount busy, and a mount
            // point left behind fails the deletion of the temporary directory
            int status = new ProcessBuilder("umount", "--lazy", mounted.toString()).inheritIO().start().waitFor();
            assertThat(status).as("umount --lazy " + mounted).isZero();
        }
    }

    @Test
    void leaderManagerKilled() throws Exception {
        bench = FaultBench.at(dir).start();
        try (Load load = bench.loadFlowing()) {
            ManagerProcess leader = bench.leader();
            Instant killed = Instant.now();
            bench.kill(leader);
            long recovery = bench.millisUntilANewRegistrationIsServed(killed, "shop-after-kill", RECOVERY);
            ManagerProcess next = bench.leader();
            bench.finish("kill -9 the leading manager", load, recovery, "a change made at the kill is served by every Nginx",
                    bench.operatorView() + "; log: " + last(bench.managerLogLines("state=leader")));
            assertThat(next).isNotSameAs(leader);
        }
    }

    @Test
    void everyManagerKilled() throws Exception {
        bench = FaultBench.at(dir).start();
        try (Load load = bench.loadFlowing()) {
            for (ManagerProcess manager : bench.managers()) {
                bench.kill(manager);
            }
            bench.register("shop", "shop-while-no-manager");
            int sentBefore = load.sent();
            Await.await("5 s of load with no manager", Duration.ofSeconds(30), () -> load.sent() > sentBefore + 300);
            String withoutManagers = agentsSay();
            Instant started = Instant.now();
            bench.startManager();
            bench.awaitEveryNginxServesWhatIsRegistered(RECOVERY);
            long recovery = Duration.between(started, Instant.now()).toMillis();
            bench.finish("kill -9 every manager", load, recovery,
                    "from a new manager's start until the change made while none ran is served everywhere",
                    "while none runs: " + withoutManagers + "; after: " + bench.operatorView());
        }
    }

    @Test
    void managerSessionExpired() throws Exception {
        bench = FaultBench.at(dir).start();
        try (Load load = bench.loadFlowing()) {
            ManagerProcess leader = bench.leader();
            Instant expired = Instant.now();
            bench.zk().expireSession(bench.sessionOf(leader));
            long recovery = bench.millisUntilANewRegistrationIsServed(expired, "shop-after-expiry", RECOVERY);
            bench.finish("expire the leading manager's ZooKeeper session", load, recovery,
                    "a change made at the expiry is served by every Nginx",
                    bench.operatorView() + "; log: " + bench.managerLogLines("leadership").stream().skip(1).toList());
        }
    }

    @Test
    void registrantSessionExpiredTakesItsInstancesAndNothingElse() throws Exception {
        bench = FaultBench.at(dir).start();
        bench.defineService("orders");
        TinyBackend orders = bench.backend("orders-1");
        RegistrantProcess team = RegistrantProcess.start(bench.zk().connectString(), FaultBench.DISCOVERY_PATH, "orders", "127.0.0.1",
                orders.port(), 3_000);
        try (team; Load load = bench.loadFlowing()) {
            for (HostAgent agent : bench.agents()) {
                Await.await(agent.settings.agentId() + " serves orders", RECOVERY, () -> FaultBench.answers(agent, "orders"),
                        Set.of("orders-1")::equals);
            }
            Instant killed = Instant.now();
            team.kill();
            long recovery = FaultBench.millisUntil(killed, "orders gone from every Nginx", RECOVERY,
                    () -> bench.agents().stream().allMatch(agent -> FaultBench.answers(agent, "orders").equals(Set.of("status 503"))));
            assertThat(bench.held()).as("holds").isEmpty();
            bench.finish("expire a registrant's session (its JVM killed; 3 s session)", load, recovery,
                    "its only instance is gone from every Nginx, not held", bench.operatorView());
        }
    }

    @Test
    void nginxRestartedWhileZooKeeperIsDownServesItsLastVersionFromDisk() throws Exception {
        bench = FaultBench.at(dir).start();
        try (Load load = bench.loadFlowing()) {
            HostAgent first = bench.agents().get(0);
            HostAgent second = bench.agents().get(1);
            bench.zk().stop();
            Instant restarted = Instant.now();
            HostAgent again = bench.restartAgent(second);
            long fromDisk = FaultBench.millisUntil(restarted, "the restarted Nginx serves from disk", RECOVERY,
                    () -> Http.tryGet(again.adminPort(), "/ready").status() == 200
                            && FaultBench.answers(again, "shop").equals(Set.of("shop-1", "shop-2")));
            String ready = Http.tryGet(again.adminPort(), "/ready").body();
            assertThat(ready).contains("from disk");
            int sentBefore = load.sent();
            Await.await("load through both while ZooKeeper is down", Duration.ofSeconds(30), () -> load.sent() > sentBefore + 200);
            bench.zk().restart();
            Instant back = Instant.now();
            long caughtUp = bench.millisUntilANewRegistrationIsServed(back, "shop-after-zookeeper", RECOVERY);
            assertThat(load.perTarget().get(first.settings.agentId()).failed()).as("through the Nginx that stayed up").isZero();
            bench.finish("restart an Nginx (agent and nginx, drained first) while ZooKeeper is down", load, fromDisk,
                    "restarted Nginx ready from disk; a change after ZooKeeper returned served everywhere in " + caughtUp + " ms",
                    "/ready: " + ready.strip());
        }
    }

    @Test
    void newNginxWhileZooKeeperIsDownSaysSoAndTakesNoTraffic() throws Exception {
        bench = FaultBench.at(dir).start();
        try (Load load = bench.loadFlowing()) {
            bench.zk().stop();
            HostAgent fresh = bench.startAgent("nginx-new");
            Thread.sleep(5_000); // past the agent's wait for ZooKeeper: it has decided what to serve
            Http.Response ready = Http.tryGet(fresh.adminPort(), "/ready");
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.body()).contains("no config version to serve", "takes no traffic");
            assertThat(Http.tryGet(fresh.trafficPort(), "/shop/x").status()).as("nothing listens on its traffic port").isEqualTo(-1);
            bench.zk().restart();
            Instant back = Instant.now();
            long recovery = FaultBench.millisUntil(back, "the new Nginx ready", RECOVERY,
                    () -> Http.tryGet(fresh.adminPort(), "/ready").status() == 200);
            bench.awaitEveryNginxServesWhatIsRegistered(RECOVERY);
            bench.finish("start a new Nginx while ZooKeeper is down", load, recovery,
                    "from ZooKeeper's return until the new Nginx is ready with the current version",
                    "its /ready while ZooKeeper was down: " + ready.status() + " " + ready.body().strip());
        }
    }

    @Test
    void agentThatCannotWriteItsVersionDirectoryKeepsServingAndTheRolloutReverts() throws Exception {
        Path agentDir = Files.createDirectories(dir.resolve("nginx-2"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", agentDir.toString())
                .redirectErrorStream(true).start();
        String mountSaid = new String(mount.getInputStream().readAllBytes()).strip();
        if (mount.waitFor() != 0) {
            String why = "row 'full disk' skipped: cannot mount a small tmpfs for the agent's directory (needs root): " + mountSaid;
            System.out.println(why);
            Assumptions.abort(why);
        }
        mounted = agentDir;
        bench = FaultBench.at(dir).managerYaml("pipeline:", "  rolloutTimeoutSeconds: 20").start();
        try (Load load = bench.loadFlowing()) {
            ManagerProcess leader = bench.leader();
            long live = json(leader.api("/groups/" + FaultBench.GROUP + "/status")).path("live").path("version").asLong();
            Path filler = fill(agentDir);
            bench.defineService("extra", "{\"clientMaxBodySizeMb\":9}"); // a new option profile: a version every agent writes
            Await.await("the rollout of the change reverted", RECOVERY, () -> latestRollout(leader).path("version").asLong() > live
                    && "REVERTED".equals(latestRollout(leader).path("state").asText()));
            JsonNode reverted = latestRollout(leader);
            assertThat(reverted.path("failures").toString()).contains("nginx-2");
            for (HostAgent agent : bench.agents()) {
                Await.await("the change is on no Nginx: " + agent.settings.agentId() + " answers 404 for /extra", RECOVERY,
                        () -> Http.tryGet(agent.trafficPort(), "/extra/x").status() == 404);
            }
            String operator = bench.operatorView() + "; rollout " + reverted.path("version") + " REVERTED: "
                    + reverted.path("failures").get(0).path("reason").asText();
            Files.delete(filler);
            Instant freed = Instant.now();
            bench.defineService("extra2", "{\"clientMaxBodySizeMb\":11}"); // the next config change (a routes-only one does not retry)
            long recovery = FaultBench.millisUntil(freed, "both changes served by every Nginx", RECOVERY,
                    () -> bench.agents().stream().allMatch(agent -> Http.tryGet(agent.trafficPort(), "/extra/x").status() == 503
                            && Http.tryGet(agent.trafficPort(), "/extra2/x").status() == 503));
            bench.finish("an agent cannot write its version directory (full 8 MB tmpfs)", load, recovery,
                    "from space freed and the next change until every Nginx serves it", operator);
        }
    }

    /** Fills the file system of {@code dir} with one file, returned. */
    private static Path fill(Path dir) throws Exception {
        Path filler = dir.resolve("filler");
        byte[] block = new byte[64 * 1024];
        try (var out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
            }
        } catch (java.io.IOException full) {
            return filler;
        }
    }

    @Test
    void templateChangeEveryNginxRejectsIsRevertedAndTrafficNeverFails() throws Exception {
        bench = FaultBench.at(dir).nginxBinary(NginxWrappers.refusing(dir, "every-nginx-rejects"))
                .managerYaml("pipeline:", "  rolloutTimeoutSeconds: 20").start();
        Path marked = Files.createDirectories(dir.resolve("marked-templates"));
        try (var templates = Files.list(io.lbmanager.testsupport.ManagerUnderTest.templatesDir())) {
            for (Path template : templates.filter(Files::isRegularFile).toList()) {
                Files.copy(template, marked.resolve(template.getFileName()));
            }
        }
        Path main = marked.resolve("nginx.conf.ftl");
        Files.writeString(main, "# every-nginx-rejects\n" + Files.readString(main));
        try (Load load = bench.loadFlowing()) {
            long live = json(bench.leader().api("/groups/" + FaultBench.GROUP + "/status")).path("live").path("version").asLong();
            for (ManagerProcess manager : bench.managers()) {
                bench.kill(manager);
            }
            Instant changed = Instant.now();
            ManagerProcess withNewTemplate = bench.startManager(marked);
            long recovery = FaultBench.millisUntil(changed, "the rollout of the new template reverted", RECOVERY,
                    () -> "REVERTED".equals(latestRollout(withNewTemplate).path("state").asText()));
            JsonNode reverted = latestRollout(withNewTemplate);
            // the group reverts at the first refusal (all or nothing), so one or both agents are named
            assertThat(reverted.path("failures").size()).as("agents that refused: %s", reverted).isBetween(1, 2);
            reverted.path("failures").forEach(failure -> assertThat(failure.path("reason").asText()).contains("every-nginx-rejects"));
            Await.await("every agent back on version " + live, RECOVERY, () -> bench.agents().stream()
                    .allMatch(agent -> agent.agent.status().runningVersion() == live));
            bench.finish("a template change every Nginx rejects", load, recovery,
                    "from the new template's manager start until the group is reverted to v" + live,
                    bench.operatorView() + "; rollout " + reverted.path("version") + " REVERTED: "
                            + reverted.path("failures").get(0).path("reason").asText());
        }
    }

    @Test
    void discoveryBasePathWipedIsHeldThenReleasedWhenInstancesReturn() throws Exception {
        bench = FaultBench.at(dir).start();
        try (Load load = bench.loadFlowing()) {
            Instant wiped = Instant.now();
            bench.zk().deleteAll(FaultBench.DISCOVERY_PATH);
            Await.await("every service held", RECOVERY, () -> {
                JsonNode held = bench.held();
                return held.has("shop") && held.has("cart") && held.has("solo");
            });
            String whileHeld = bench.operatorView();
            int sentBefore = load.sent();
            Await.await("load while held", Duration.ofSeconds(30), () -> load.sent() > sentBefore + 200);
            for (HostAgent agent : bench.agents()) {
                assertThat(FaultBench.answers(agent, "solo")).as("solo's held instance still routed").isEqualTo(Set.of("solo-1"));
            }
            Instant reregistered = Instant.now();
            bench.registerAllAgain();
            long released = FaultBench.millisUntil(reregistered, "the hold released", RECOVERY, () -> bench.held().isEmpty());
            bench.awaitEveryNginxServesWhatIsRegistered(RECOVERY);
            bench.finish("wipe the discovery base path", load, Duration.between(wiped, Instant.now()).toMillis(),
                    "wipe until re-registered instances served; the hold ended " + released + " ms after they returned",
                    "while held: " + whileHeld);
        }
    }

    @Test
    void rapidRegisterDeregisterOfOneServicesOnlyInstanceIsNeverHeld() throws Exception {
        bench = FaultBench.at(dir).start();
        bench.defineService("probe");
        Set<String> holdsSeen = new TreeSet<>();
        long slowest = 0;
        try (Load load = bench.loadFlowing()) {
            for (int round = 1; round <= 30; round++) {
                ServiceInstance<String> probe = bench.register("probe", "probe-" + round);
                for (HostAgent agent : bench.agents()) {
                    Await.await("round " + round + ": " + agent.settings.agentId() + " serves probe", MEMBERSHIP_TARGET,
                            () -> FaultBench.answers(agent, "probe"), Set.of("probe-" + round)::equals);
                }
                Instant gone = Instant.now();
                bench.deregister(probe);
                for (HostAgent agent : bench.agents()) {
                    Await.await("round " + round + ": " + agent.settings.agentId() + " no longer routes probe", MEMBERSHIP_TARGET,
                            () -> FaultBench.answers(agent, "probe"), Set.of("status 503")::equals);
                }
                slowest = Math.max(slowest, Duration.between(gone, Instant.now()).toMillis());
                bench.held().fieldNames().forEachRemaining(holdsSeen::add);
            }
            assertThat(holdsSeen).as("services held during 30 rounds").isEmpty();
            bench.finish("register/deregister one service's only instance, 30 rounds, beside a 2-instance service", load, slowest,
                    "slowest round from deregistration until no Nginx routes it; 0 holds", bench.operatorView());
        }
    }

    // ---- shared by the rows

    private String agentsSay() {
        List<String> says = bench.agents().stream().map(agent -> agent.settings.agentId() + " /ready "
                + Http.tryGet(agent.adminPort(), "/ready").status()).toList();
        return String.join(", ", says);
    }

    private static JsonNode latestRollout(ManagerProcess manager) throws Exception {
        return json(manager.api("/groups/" + FaultBench.GROUP + "/rollouts?limit=1")).path(0);
    }

    private static String last(List<String> lines) {
        return lines.isEmpty() ? "(none)" : lines.get(lines.size() - 1).strip();
    }
}
