package io.lbmanager.bench;

import io.lbmanager.agent.NginxProcess;
import io.lbmanager.agent.OldGenerationBound;
import io.lbmanager.agent.ServedVersion;
import io.lbmanager.agent.VersionDirectories;
import io.lbmanager.catalog.ServiceDefinition;
import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.catalog.Upstream;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.render.AgentInclude;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.testsupport.Await;
import io.lbmanager.testsupport.DribblingBackend;
import io.lbmanager.testsupport.HostAgent;
import io.lbmanager.testsupport.Http;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * (f) One Nginx on this host with the product's rendered config, reloaded many times the way the
 * agent's ConfigApplier does it (new version directory with unchanged files hard-linked,
 * {@code nginx -t}, switch, SIGHUP, wait until {@code /_lbm/version} answers the new version and the
 * previous workers stopped taking connections, keep the newest 3 directories; the agent's bound of
 * old worker generations, or none)
 * while keep-alive clients and slow responses stay open. After every reload: worker generations
 * alive and the memory of master + workers.
 */
final class ReloadsWithLongConnections {

    static final String STEADY = "steady";
    static final String STREAM = "stream";
    private static final Pattern SHUTDOWN_TIMEOUT = Pattern.compile("(?m)^\\s*worker_shutdown_timeout\\s[^;]*;\\s*\\n");

    /**
     * @param keepAliveClients connections that send a GET every {@code keepAliveEvery} and idle in between
     * @param streams          slow responses in flight at once, each lasting about the backend's slow duration
     */
    record Settings(int services, int reloads, int keepAliveClients, Duration keepAliveEvery, int streams, Duration maxTime) {
    }

    /**
     * What one run saw; memory in kB, generations per sample (one sample after each reload), the old
     * generations the agent's bound ended and how long the responses it cut had run.
     */
    record Result(String variant, OldGenerationBound bound, long generationsEnded, Stats cutAfterMillis, int reloads, long millis, Stats generations, Stats reloadMillis, long rssStartKb,
                  long rssPeakKb, long rssEndKb, long pssStartKb, long pssPeakKb, long pssEndKb, double oldestDrainingSeconds,
                  int keepAliveRequests, int keepAliveRetried, int keepAliveFailed, int streamsStarted, int streamsCompleted,
                  int streamsCut, int streamsFailed, List<String> firstFailures) {

        int failedRequests() {
            return keepAliveFailed + streamsFailed;
        }
    }

    private ReloadsWithLongConnections() {
    }

    /** The directive's value in the rendered nginx.conf, or empty when the template sets none. */
    static java.util.Optional<String> shutdownTimeoutOf(ConfigBundle bundle) {
        java.util.regex.Matcher m = Pattern.compile("(?m)^\\s*worker_shutdown_timeout\\s+([^;]*);")
                .matcher(bundle.files().get(ConfigBundle.MAIN_FILE));
        return m.find() ? java.util.Optional.of(m.group(1).strip()) : java.util.Optional.empty();
    }

    /** The product's config for {@code services} services plus the two this run sends to {@code backendPort}. */
    static ConfigBundle productConfig(int services, int backendPort) {
        CatalogSnapshot snapshot = Catalogs.snapshot(services, 1)
                .withService(routed(STEADY, backendPort))
                .withService(routed(STREAM, backendPort));
        return Catalogs.render(Catalogs.renderer(), snapshot);
    }

    /** The same bundle with {@code worker_shutdown_timeout} taken out of nginx.conf (Nginx's default: none). */
    static ConfigBundle withoutShutdownTimeout(ConfigBundle bundle) {
        Map<String, String> files = new TreeMap<>(bundle.files());
        files.put(ConfigBundle.MAIN_FILE, SHUTDOWN_TIMEOUT.matcher(files.get(ConfigBundle.MAIN_FILE)).replaceAll(""));
        return ConfigBundle.of(bundle.group(), files);
    }

    private static ServiceRecord routed(String id, int port) {
        return new ServiceRecord(new ServiceDefinition(id, List.of("bench"), "/" + id, List.of(Catalogs.GROUP), Map.of(), id),
                List.of(new Upstream("127.0.0.1", port)), "bench", 0L);
    }

    static Result run(String variant, ConfigBundle bundle, OldGenerationBound bound, Settings settings, DribblingBackend backend,
                      Path dir) throws Exception {
        VersionDirectories dirs = new VersionDirectories(dir);
        int port = Http.freePort();
        long version = 1;
        try (NginxProcess nginx = new NginxProcess(HostAgent.NGINX, dirs, bound)) {
            dirs.switchLiveTo(write(dirs, bundle, port, version));
            nginx.start();
            long served = version;
            Await.await("nginx serves version 1", Duration.ofSeconds(60), () -> servesVersion(port, served));
            long master = nginx.pid().orElseThrow();
            NginxWorkers.Generations start = NginxWorkers.generationsOf(master);

            List<Integer> generations = new ArrayList<>();
            List<Long> reloadMillis = new ArrayList<>();
            long rssPeak = start.rssKb(), pssPeak = start.pssKb();
            double oldest = 0;
            NginxWorkers.Generations last = start;
            long runStart = System.nanoTime();
            long deadline = runStart + settings.maxTime().toNanos();
            Duration clientsTime = settings.maxTime().plusMinutes(1);
            try (KeepAliveClients keepAlive = new KeepAliveClients(settings.keepAliveClients(), port, "/" + STEADY + "/x",
                    settings.keepAliveEvery(), clientsTime);
                 SlowStreams streams = new SlowStreams(settings.streams(), port, "/" + STREAM + DribblingBackend.SLOW_SUFFIX,
                         backend.slowDuration(), clientsTime)) {
                int done = 0;
                List<Long> reloadTicks = new ArrayList<>();
                while (done < settings.reloads() && System.nanoTime() < deadline) {
                    long reloadStart = System.nanoTime();
                    reload(nginx, dirs, bundle, port, ++version, reloadTicks);
                    reloadMillis.add((System.nanoTime() - reloadStart) / 1_000_000);
                    done++;
                    last = NginxWorkers.generationsOf(master, reloadTicks);
                    generations.add(last.generations());
                    rssPeak = Math.max(rssPeak, last.rssKb());
                    pssPeak = Math.max(pssPeak, last.pssKb());
                    oldest = Math.max(oldest, last.oldestDrainingSeconds());
                }
                long millis = (System.nanoTime() - runStart) / 1_000_000;
                keepAlive.close();
                streams.close();
                List<String> failures = new ArrayList<>(keepAlive.firstFailures());
                failures.addAll(streams.firstFailures());
                return new Result(variant, bound, nginx.generationsEnded(), Stats.of(streams.cutAfterMillis()), done, millis, Stats.of(generations), Stats.of(reloadMillis), start.rssKb(), rssPeak,
                        last.rssKb(), start.pssKb(), pssPeak, last.pssKb(), oldest, keepAlive.requests(),
                        keepAlive.retriedAfterClose(), keepAlive.failed(), streams.started(), streams.completed(), streams.cut(),
                        streams.failed(), failures);
            }
        } finally {
            deleteTree(dir);
        }
    }

    /** One reload as the agent does it; the clock tick it was signalled at goes to {@code signalledAt}. */
    private static void reload(NginxProcess nginx, VersionDirectories dirs, ConfigBundle bundle, int port, long version,
                               List<Long> signalledAt) throws Exception {
        Path next = write(dirs, bundle, port, version);
        NginxProcess.CommandResult test = nginx.test(next);
        if (!test.succeeded()) {
            throw new IllegalStateException("nginx -t refused version " + version + ": " + test.errorText());
        }
        dirs.switchLiveTo(next);
        signalledAt.add(NginxWorkers.nowTicks());
        NginxProcess.CommandResult reload = nginx.reload(new ServedVersion(version, bundle.sha256()));
        if (!reload.succeeded()) {
            throw new IllegalStateException("reload " + version + " failed: " + reload.errorText());
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!servesVersion(port, version)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("nginx did not serve version " + version + " within 60 s of its reload");
            }
            Thread.sleep(2);
        }
        nginx.awaitPreviousWorkersRetired(Duration.ofSeconds(30));
        dirs.prune(3);
    }

    private static boolean servesVersion(int port, long version) {
        Http.Response response = Http.tryGet(port, AgentInclude.VERSION_PATH);
        return response.status() == 200 && response.body().startsWith(version + " ");
    }

    private static Path write(VersionDirectories dirs, ConfigBundle bundle, int port, long version) throws Exception {
        ServedVersion served = new ServedVersion(version, bundle.sha256());
        return dirs.write(bundle, served, AgentInclude.render("127.0.0.1", port, version, bundle.sha256()));
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (Exception ignored) {
            // temp files; best effort
        }
    }
}
