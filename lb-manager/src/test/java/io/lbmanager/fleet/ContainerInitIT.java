package io.lbmanager.fleet;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import io.lbmanager.agent.ServedVersion;
import io.lbmanager.agent.VersionProbe;
import io.lbmanager.contract.PublishedVersion;
import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.BundlePublisher;
import io.lbmanager.testsupport.DockerSupport;
import io.lbmanager.testsupport.NginxBundles;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.ZkLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Nginx image runs an init as PID 1, so processes orphaned in a task container are reaped: Docker's
 * {@code --init} is not there under Singularity. The orphans that matter are the workers of an Nginx
 * master killed outright; the agent stops them, and only PID 1 can collect their exit status.
 */
class ContainerInitIT {

    private static final String GROUP = "edge";
    private static final ZkLayout LAYOUT = new ZkLayout("/lbm-init");
    private static final Duration WAIT = Duration.ofSeconds(90);
    /** Pids of processes whose command line starts with $1, one a line (minbase has no ps). */
    private static final String PIDS_OF = "for p in /proc/[0-9]*; do c=$(tr '\\0' ' ' < $p/cmdline 2>/dev/null); "
            + "case \"$c\" in \"$1\"*) echo ${p#/proc/};; esac; done";
    /** Every zombie in the container, as {@code pid name}. */
    private static final String ZOMBIES = "for s in /proc/[0-9]*/status; do "
            + "grep -q '^State:.*Z' $s 2>/dev/null && echo \"$(basename $(dirname $s)) $(sed -n 's/^Name:\\t//p' $s)\"; done; true";

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();

    private final Optional<String> whyUnusable = DockerSupport.whyUnusable(DockerSupport.image());
    private final String fleetName = DockerSupport.uniqueFleetName("init");
    private DockerClient docker;

    @BeforeEach
    void requireDocker() {
        DockerSupport.assumeUsable(whyUnusable);
        docker = DockerClients.local();
    }

    @AfterEach
    void removeContainers() throws Exception {
        if (docker != null) {
            DockerSupport.removeFleet(docker, fleetName);
            docker.close();
        }
    }

    @Test
    void pidOneIsAnInitThatReapsTheWorkersOfAKilledNginxMaster() throws Exception {
        PublishedVersion v1 = new BundlePublisher(ZK.curator(), LAYOUT).publish(1, NginxBundles.proxyingTo(GROUP, 9));
        DockerTaskRunner runner = new DockerTaskRunner(docker, DockerSupport.image(), fleetName, ZK.connectString(), LAYOUT.root());
        NginxTask task = runner.startTask(GROUP);
        VersionProbe probe = new VersionProbe(task.host(), task.trafficPort());
        ServedVersion served = new ServedVersion(v1.version(), v1.sha256());
        assertThat(probe.awaitVersion(served, WAIT)).as(() -> DockerSupport.logTail(docker, task.taskId())).isTrue();

        String pidOne = exec(task.taskId(), "tr '\\0' ' ' < /proc/1/cmdline");
        assertThat(pidOne).startsWith("/usr/bin/tini ");

        String master = exec(task.taskId(), PIDS_OF, "nginx: master").strip();
        List<String> workers = Arrays.asList(exec(task.taskId(), PIDS_OF, "nginx: worker").strip().split("\n"));
        assertThat(master).matches("[0-9]+");
        assertThat(workers).isNotEmpty().allMatch(pid -> pid.matches("[0-9]+"));
        exec(task.taskId(), "kill -KILL \"$1\"", master);

        // The agent restarts Nginx; first it stops the workers the dead master left (they hold the port).
        Await.await("a new nginx master serving version 1", WAIT, () -> {
            String now = exec(task.taskId(), PIDS_OF, "nginx: master").strip();
            return now.matches("[0-9]+") && !now.equals(master) && probe.servedVersion().equals(Optional.of(served));
        });
        Await.await("the old workers gone and no zombie left", Duration.ofSeconds(20), () -> {
            String running = exec(task.taskId(), PIDS_OF, "nginx: worker");
            return exec(task.taskId(), ZOMBIES).isBlank() && workers.stream().noneMatch(pid -> running.lines().anyMatch(pid::equals));
        });
    }

    @Test
    void aProcessWhoseParentExitsIsReapedWhenItEnds() throws Exception {
        new BundlePublisher(ZK.curator(), LAYOUT).publish(1, NginxBundles.proxyingTo(GROUP, 9));
        NginxTask task = new DockerTaskRunner(docker, DockerSupport.image(), fleetName, ZK.connectString(), LAYOUT.root())
                .startTask(GROUP);

        exec(task.taskId(), "sh -c 'sleep 1 &' ; true"); // the sleep's parent exits at once: PID 1 adopts it

        Await.await("the orphaned sleep to have ended", Duration.ofSeconds(20),
                () -> exec(task.taskId(), PIDS_OF, "sleep 1").isBlank()); // a zombie has no command line
        Await.await("no zombie left", Duration.ofSeconds(5), () -> exec(task.taskId(), ZOMBIES).isBlank());
    }

    /** What {@code sh -c script sh args...} printed in the task's container (stdout and stderr). */
    private String exec(String container, String script, String... args) throws InterruptedException {
        String[] command = new String[3 + 1 + args.length];
        command[0] = "sh";
        command[1] = "-c";
        command[2] = script;
        command[3] = "sh";
        System.arraycopy(args, 0, command, 4, args.length);
        String id = docker.execCreateCmd(container).withCmd(command).withAttachStdout(true).withAttachStderr(true).exec().getId();
        StringBuilder out = new StringBuilder();
        docker.execStartCmd(id).exec(new ResultCallback.Adapter<Frame>() {
            @Override
            public void onNext(Frame frame) {
                out.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
            }
        }).awaitCompletion(20, TimeUnit.SECONDS);
        return out.toString();
    }
}
