package io.lbmanager.faults;

import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.FaultBench;
import io.lbmanager.testsupport.Http;
import io.lbmanager.testsupport.Load;
import io.lbmanager.testsupport.ManagerProcess;
import org.apache.curator.test.InstanceSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fault matrix's expensive rows (RELIABILITY.md): a 3-server ZooKeeper ensemble in this JVM
 * and a minute or more per row, so they run outside CI, with
 * {@code mvn -B -pl lb-manager test -Pfaults -Dlbm.image.skip=true}
 * (the profile sets {@code lbm.faults=true} and selects the fault-matrix classes).
 */
class FaultMatrixEnsembleTest {

    static final String SWITCH = "lbm.faults";
    private static final Duration RECOVERY = Duration.ofSeconds(120);
    private static final Duration QUORUM_LOST_FOR = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private FaultBench bench;

    @BeforeAll
    static void onlyWhenAskedFor() {
        if (!Boolean.getBoolean(SWITCH)) {
            String why = "FaultMatrixEnsembleTest skipped: its rows need a 3-server ZooKeeper ensemble and more than a minute each, "
                    + "so they run outside CI: mvn -B -pl lb-manager test -Pfaults -Dlbm.image.skip=true";
            System.out.println(why);
            Assumptions.abort(why);
        }
    }

    @AfterEach
    void closeBench() throws Exception {
        if (bench != null) {
            bench.close();
        }
    }

    @Test
    void zooKeeperLeaderKilled() throws Exception {
        bench = FaultBench.at(dir).ensemble().start();
        try (Load load = bench.loadFlowing()) {
            InstanceSpec leader = Await.await("an ensemble leader", RECOVERY, () -> bench.zk().leader(), java.util.Optional::isPresent)
                    .orElseThrow();
            Instant killed = Instant.now();
            bench.zk().killServer(leader);
            long recovery = bench.millisUntilANewRegistrationIsServed(killed, "shop-after-zk-leader", RECOVERY);
            String modes = modes();
            bench.zk().restartServer(leader);
            bench.finish("kill the ZooKeeper leader (3-server ensemble)", load, recovery,
                    "a change made at the kill is served by every Nginx", "ZooKeeper servers " + modes + "; " + bench.operatorView());
        }
    }

    @Test
    void zooKeeperQuorumLostForAMinuteThenRestored() throws Exception {
        bench = FaultBench.at(dir).ensemble().start();
        try (Load load = bench.loadFlowing()) {
            InstanceSpec leader = Await.await("an ensemble leader", RECOVERY, () -> bench.zk().leader(), java.util.Optional::isPresent)
                    .orElseThrow();
            InstanceSpec follower = bench.zk().servers().stream().filter(spec -> !spec.equals(leader)).findFirst().orElseThrow();
            bench.zk().killServer(leader);
            bench.zk().killServer(follower);
            Thread.sleep(QUORUM_LOST_FOR.toMillis());
            String whileLost = "ZooKeeper servers " + modes() + "; managers answer " + bench.managerAnswers();
            for (ManagerProcess manager : bench.managers()) {
                Http.Response health = Http.tryGet(manager.adminPort(), "/healthcheck");
                assertThat(health.body()).as("the admin port's health checks answer during the outage")
                        .contains("not connected to ZooKeeper");
            }
            bench.zk().restartServer(leader);
            bench.zk().restartServer(follower);
            Instant restored = Instant.now();
            long recovery = bench.millisUntilANewRegistrationIsServed(restored, "shop-after-quorum", RECOVERY);
            bench.awaitEveryNginxServesWhatIsRegistered(RECOVERY);
            bench.finish("lose ZooKeeper quorum (2 of 3 servers) for 60 s, then restore it", load, recovery,
                    "from quorum restored until a change made then is served everywhere",
                    "while lost: " + whileLost + "; after: " + bench.operatorView()
                            + "; log: " + bench.managerLogLines("held").stream().limit(3).toList());
        }
    }

    private String modes() {
        return bench.zk().servers().stream().map(spec -> spec.getPort() + "=" + bench.zk().serverMode(spec)).toList().toString();
    }

}
