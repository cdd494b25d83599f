package io.lbmanager.agent;

import io.lbmanager.contract.AgentState;
import io.lbmanager.contract.AgentStatus;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.render.AgentInclude;
import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.BundlePublisher;
import io.lbmanager.testsupport.DribblingBackend;
import io.lbmanager.testsupport.HostAgent;
import io.lbmanager.testsupport.Http;
import io.lbmanager.testsupport.NginxBundles;
import io.lbmanager.testsupport.RawHttp;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.zk.Json;
import io.lbmanager.zk.ZkLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real nginx (one worker per generation), reloaded the way the agent reloads it, with one more
 * slow response (60 s) opened on the current generation before each reload: every reload retires a
 * generation that still has a long response open.
 */
class OldGenerationBoundOnHostTest {

    private static final int RELOADS = 6;
    private static final int SLOW_BYTES = 240;
    private static final Duration BYTE_EVERY = Duration.ofMillis(250);

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();

    @TempDir
    Path root;

    private enum Outcome { STREAMING, COMPLETE, CUT }

    private record Run(List<Integer> oldGenerationsAfterEachReload, List<Outcome> longResponses, int failedNewRequests,
                       long generationsEnded, Optional<String> lastSeriousLine) {

        List<Integer> indexesOf(Outcome outcome) {
            return IntStream.range(0, longResponses.size()).filter(i -> longResponses.get(i) == outcome).boxed().toList();
        }
    }

    @Test
    void reloadsLeaveAtMostTwoOldGenerationsByCuttingTheOldestLongResponses() throws Exception {
        Run run = reloadWithLongResponsesOpen(OldGenerationBound.DEFAULT);

        assertThat(run.oldGenerationsAfterEachReload()).containsExactly(1, 2, 2, 2, 2, 2);
        assertThat(run.failedNewRequests()).isZero();
        assertThat(run.indexesOf(Outcome.CUT)).containsExactly(0, 1, 2, 3);
        assertThat(run.indexesOf(Outcome.STREAMING)).containsExactly(4, 5);
        assertThat(run.generationsEnded()).isEqualTo(RELOADS - 2);
        assertThat(run.lastSeriousLine()).as("the ended workers' alerts are not errors of the agent's Nginx").isEmpty();
    }

    @Test
    void aBoundOfOneKeepsOnlyTheGenerationTheReloadRetires() throws Exception {
        Run run = reloadWithLongResponsesOpen(OldGenerationBound.of(1));

        assertThat(run.oldGenerationsAfterEachReload()).containsOnly(1);
        assertThat(run.failedNewRequests()).isZero();
        assertThat(run.indexesOf(Outcome.CUT)).containsExactly(0, 1, 2, 3, 4);
        assertThat(run.indexesOf(Outcome.STREAMING)).containsExactly(5);
        assertThat(run.generationsEnded()).isEqualTo(RELOADS - 1);
    }

    @Test
    void withoutTheBoundEveryReloadLeavesOneMoreGenerationAndNothingIsCut() throws Exception {
        Run run = reloadWithLongResponsesOpen(OldGenerationBound.OFF);

        assertThat(run.oldGenerationsAfterEachReload()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(run.failedNewRequests()).isZero();
        assertThat(run.indexesOf(Outcome.STREAMING)).hasSize(RELOADS);
        assertThat(run.generationsEnded()).isZero();
    }

    @Test
    void theAgentEndsTheOldestGenerationAsItAppliesVersionsAndReportsIt() throws Exception {
        ZkLayout layout = new ZkLayout("/lbm-generations");
        BundlePublisher publisher = new BundlePublisher(ZK.curator(), layout);
        List<LongResponse> longResponses = new ArrayList<>();
        try (DribblingBackend backend = new DribblingBackend(SLOW_BYTES, BYTE_EVERY);
             HostAgent host = HostAgent.start(ZK.connectString(), layout.root(), "edge", "a1", root.resolve("agent"))) {
            ConfigBundle bundle = NginxBundles.proxyingTo("edge", backend.port());
            for (long version = 1; version <= 5; version++) {
                if (version > 1) {
                    longResponses.add(LongResponse.open(host.trafficPort()));
                }
                publisher.publish(version, bundle);
                long applied = version;
                Await.await("agent READY at version " + version, Duration.ofSeconds(30), () -> host.agent.status(),
                        status -> status.state() == AgentState.READY && status.runningVersion() == applied);
            }
            // 4 reloads, each retiring a generation with a long response open: the first 2 ended
            assertThat(host.agent.status().generationsEnded()).isEqualTo(2);
            String node = layout.agent("edge", "a1");
            assertThat(Json.read(node, ZK.curator().getData().forPath(node), AgentStatus.class).generationsEnded()).isEqualTo(2);
            Await.await("the oldest long responses are cut", Duration.ofSeconds(10),
                    () -> longResponses.get(0).outcome() == Outcome.CUT && longResponses.get(1).outcome() == Outcome.CUT);
            assertThat(longResponses).extracting(LongResponse::outcome)
                    .containsExactly(Outcome.CUT, Outcome.CUT, Outcome.STREAMING, Outcome.STREAMING);
        } finally {
            longResponses.forEach(LongResponse::close);
        }
    }

    private Run reloadWithLongResponsesOpen(OldGenerationBound bound) throws Exception {
        VersionDirectories dirs = new VersionDirectories(root.resolve("runtime"));
        int port = Http.freePort();
        VersionProbe probe = new VersionProbe("127.0.0.1", port);
        List<LongResponse> longResponses = new ArrayList<>();
        try (DribblingBackend backend = new DribblingBackend(SLOW_BYTES, BYTE_EVERY);
             NginxProcess nginx = new NginxProcess(HostAgent.NGINX, dirs, bound)) {
            ConfigBundle bundle = NginxBundles.proxyingTo("edge", backend.port());
            dirs.switchLiveTo(write(dirs, bundle, port, 1));
            nginx.start();
            assertThat(probe.awaitVersion(new ServedVersion(1, bundle.sha256()), Duration.ofSeconds(20))).isTrue();
            long master = nginx.pid().orElseThrow();

            List<Integer> oldGenerations = new ArrayList<>();
            int failedNewRequests = 0;
            for (int reload = 1; reload <= RELOADS; reload++) {
                longResponses.add(LongResponse.open(port));
                ServedVersion next = new ServedVersion(reload + 1, bundle.sha256());
                dirs.switchLiveTo(write(dirs, bundle, port, next.version()));
                NginxProcess.CommandResult result = nginx.reload(next);
                assertThat(result.succeeded()).as(result.output()).isTrue();
                assertThat(probe.awaitVersion(next, Duration.ofSeconds(20))).as("serves version %d", next.version()).isTrue();
                assertThat(nginx.awaitPreviousWorkersRetired(Duration.ofSeconds(20))).isTrue();
                oldGenerations.add(drainingWorkers(master));
                Http.Response fresh = Http.tryGet(port, "/fresh-" + reload);
                if (fresh.status() != 200 || !fresh.body().equals("ok\n")) {
                    failedNewRequests++;
                }
            }
            List<Integer> cutExpected = IntStream.range(0, RELOADS).boxed().toList();
            // a SIGTERMed worker's connections close as it exits: the cut responses end within moments
            Await.await("the long responses of ended generations end", Duration.ofSeconds(10),
                    () -> cutExpected.stream().limit(nginx.generationsEnded()).allMatch(i -> longResponses.get(i).outcome() != Outcome.STREAMING));
            return new Run(oldGenerations, longResponses.stream().map(LongResponse::outcome).toList(), failedNewRequests,
                    nginx.generationsEnded(), nginx.lastSeriousLine());
        } finally {
            longResponses.forEach(LongResponse::close);
        }
    }

    private static Path write(VersionDirectories dirs, ConfigBundle bundle, int port, long version) throws IOException {
        return dirs.write(bundle, new ServedVersion(version, bundle.sha256()),
                AgentInclude.render("127.0.0.1", port, version, bundle.sha256()));
    }

    /** With one worker per generation: the old generations still draining. */
    private static int drainingWorkers(long master) {
        return (int) ProcessHandle.of(master).orElseThrow().children()
                .filter(worker -> title(worker.pid()).startsWith("nginx: worker process is shutting down"))
                .count();
    }

    private static String title(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return ""; // exited
        }
    }

    /** One slow response through Nginx, read on its own thread until it ends. */
    private static final class LongResponse {
        private final Socket socket;
        private volatile Outcome outcome = Outcome.STREAMING;

        private LongResponse(Socket socket) {
            this.socket = socket;
        }

        static LongResponse open(int port) throws IOException {
            Socket socket = RawHttp.connect(port, 60_000);
            RawHttp.sendGet(socket, "/long" + DribblingBackend.SLOW_SUFFIX, false);
            RawHttp.Head head = RawHttp.readHead(socket.getInputStream());
            assertThat(head.status()).as("a long request started on the current generation").isEqualTo(200);
            LongResponse response = new LongResponse(socket);
            Thread reader = new Thread(() -> response.readToEnd(head.contentLength()), "long-response");
            reader.setDaemon(true);
            reader.start();
            return response;
        }

        private void readToEnd(long length) {
            try {
                outcome = RawHttp.readBody(socket.getInputStream(), length) == length ? Outcome.COMPLETE : Outcome.CUT;
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    outcome = Outcome.CUT; // reset mid-body
                }
            }
        }

        Outcome outcome() {
            return outcome;
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
