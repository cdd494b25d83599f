package io.lbmanager.rollout;

import io.lbmanager.LbManagerConfiguration;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.NginxWrappers;
import io.lbmanager.testsupport.RunningManager;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import static io.lbmanager.testsupport.Await.await;
import static io.lbmanager.testsupport.ManagerUnderTest.get;
import static io.lbmanager.testsupport.ManagerUnderTest.json;

/** A manager of group {@code edge} whose nginx (the real one, wrapped) records every call, so a test can count its {@code nginx -t} runs. */
final class ManagerCountingNginxChecks implements AutoCloseable {

    private final RunningManager manager;
    private final Path calls;

    private ManagerCountingNginxChecks(RunningManager manager, Path calls) {
        this.manager = manager;
        this.calls = calls;
    }

    /** Started, with its empty group published; each {@code nginx -t} takes at least {@code testSeconds}. */
    static ManagerCountingNginxChecks start(String zooKeeper, Path dir, int testSeconds, Consumer<LbManagerConfiguration> settings,
                                            Duration within) throws Exception {
        Path calls = dir.resolve("nginx-calls.txt");
        Files.writeString(calls, "");
        LbManagerConfiguration config = ManagerUnderTest.config(zooKeeper, "edge");
        settings.accept(config);
        config.nginx.binary = NginxWrappers.recordingCalls(dir, calls, testSeconds).toString();
        config.nginx.jail = "none"; // the wrapper counts runs in the test's directory, outside any jail
        ManagerCountingNginxChecks started = new ManagerCountingNginxChecks(RunningManager.start(config), calls);
        await("the empty group published", within, () -> started.targetVersion() == 1);
        return started;
    }

    String api(String path) {
        return manager.api(path);
    }

    long nginxChecks() throws Exception {
        return Files.readAllLines(calls).stream().filter(line -> List.of(line.split(" ")).contains("-t")).count();
    }

    long targetVersion() throws Exception {
        return json(get(api("/groups/edge/status"))).path("target").path("version").asLong(0);
    }

    long renderedAtMillis() throws Exception {
        return json(get(api("/groups/edge/status"))).path("status").path("renderedAtMillis").asLong(0);
    }

    @Override
    public void close() {
        manager.close();
    }
}
