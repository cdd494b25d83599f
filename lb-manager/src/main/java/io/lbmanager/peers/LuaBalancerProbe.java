package io.lbmanager.peers;

import io.lbmanager.validate.NginxValidator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Whether an nginx binary can run the Lua balancer of a rendered {@code lbm-lua.conf}: starts it
 * once, in the foreground on a unix socket in a temporary directory, with both modules loaded and
 * that file included, posts a peer list to {@code lbm.update_peers()} and asks whether
 * {@code lbm.balance} and {@code lbm.require_peers} exist. {@code nginx -t} alone cannot tell: it
 * does not run {@code init_by_lua}, so it accepts Lua that fails every start and reload.
 */
public final class LuaBalancerProbe {

    /** @param reason why not, or what was found */
    public record Verdict(boolean available, String reason) {
    }

    private LuaBalancerProbe() {
    }

    private static final String SAMPLE_BATCH = "lbm-probe 127.0.0.1:9:1\n";
    private static final String FUNCTIONS_PRESENT = "function function";
    private static final String ROUTER_PRESENT = "function function function function";

    /** @param luaConf a rendered {@code lbm-lua.conf} (http context) */
    public static Verdict probe(String nginxBinary, String luaModulesDir, String luaConf, Duration timeout) {
        return probe(nginxBinary, luaModulesDir, luaConf, false, timeout);
    }

    /**
     * @param luaConf a rendered {@code lbm-lua.conf} (http context)
     * @param router  whether the Lua router must be there as well: {@code lbm.route}, {@code lbm.balance_routed},
     *                {@code lbm.update_routes} and {@code lbm.not_found}
     */
    public static Verdict probe(String nginxBinary, String luaModulesDir, String luaConf, boolean router, Duration timeout) {
        Optional<String> missing = missingModule(luaModulesDir);
        if (missing.isPresent()) {
            return new Verdict(false, missing.get());
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("lbm-lua-probe-");
            return run(nginxBinary, luaModulesDir, luaConf, router, dir, timeout);
        } catch (IOException e) {
            return new Verdict(false, "cannot run the Lua probe: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Verdict(false, "interrupted while probing for the Lua module");
        } finally {
            NginxValidator.deleteQuietly(dir);
        }
    }

    /** Which of the two modules is not in {@code luaModulesDir}, if one is not. */
    public static Optional<String> missingModule(String luaModulesDir) {
        return List.of("ndk_http_module.so", "ngx_http_lua_module.so").stream()
                .map(module -> Path.of(luaModulesDir, module))
                .filter(module -> !Files.isRegularFile(module))
                .map(module -> module + " does not exist (Debian: apt-get install libnginx-mod-http-lua lua-resty-core)")
                .findFirst();
    }

    private static Verdict run(String nginxBinary, String modulesDir, String luaConf, boolean router, Path dir, Duration timeout)
            throws IOException, InterruptedException {
        Path socket = dir.resolve("probe.sock");
        Files.createDirectories(dir.resolve("logs"));
        Files.writeString(dir.resolve("lbm-lua.conf"), luaConf, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("nginx.conf"), String.join("\n",
                "load_module " + modulesDir + "/ndk_http_module.so;",
                "load_module " + modulesDir + "/ngx_http_lua_module.so;",
                "events { worker_connections 16; }",
                "http {",
                "    access_log off;",
                "    client_body_temp_path " + dir + "/body;",
                "    include " + dir.resolve("lbm-lua.conf") + ";",
                "    server {",
                "        listen unix:" + socket + ";",
                "        location = /_lbm/peers { content_by_lua_block { lbm.update_peers() } }",
                "        location = /_lbm/functions { content_by_lua_block { ngx.print(type(lbm.balance), \" \", type(lbm.require_peers)) } }",
                "        location = /_lbm/router { content_by_lua_block { ngx.print(type(lbm.route), \" \", type(lbm.balance_routed), \" \","
                        + " type(lbm.update_routes), \" \", type(lbm.not_found)) } }",
                "    }",
                "}", ""), StandardCharsets.UTF_8);
        Path output = dir.resolve("nginx.out");
        Process nginx = new ProcessBuilder(nginxBinary, "-p", dir + "/", "-c", dir.resolve("nginx.conf").toString(), "-e", "stderr",
                "-g", "daemon off; master_process off; pid " + dir.resolve("nginx.pid") + ";")
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (NginxPeersEndpoint endpoint = new NginxPeersEndpoint(socket, timeout)) {
            while (System.nanoTime() < deadline && nginx.isAlive()) {
                if (Files.exists(socket)) {
                    try {
                        return exercise(endpoint, modulesDir, router);
                    } catch (IOException notYet) {
                        // bound before listening; try again
                    }
                }
                Thread.sleep(10);
            }
            String said = Files.readString(output, StandardCharsets.UTF_8).strip();
            return new Verdict(false, "nginx with the Lua modules and lbm-lua.conf did not answer"
                    + (said.isEmpty() ? " within " + timeout.toMillis() + " ms" : ": " + seriousLine(said)));
        } finally {
            nginx.destroy();
            if (!nginx.waitFor(5, TimeUnit.SECONDS)) {
                nginx.destroyForcibly();
            }
        }
    }

    private static Verdict exercise(NginxPeersEndpoint endpoint, String modulesDir, boolean router) throws IOException {
        NginxPeersEndpoint.Answer update = endpoint.post(SAMPLE_BATCH);
        if (!update.ok() || !update.body().equals("set 1 removed 0")) {
            return new Verdict(false, "lbm.update_peers() of lbm-lua.conf answered " + update.status() + " '" + update.body()
                    + "' to a one-service batch, not 200 'set 1 removed 0'");
        }
        NginxPeersEndpoint.Answer functions = endpoint.get("/_lbm/functions");
        if (!functions.body().equals(FUNCTIONS_PRESENT)) {
            return new Verdict(false, "lbm-lua.conf must define lbm.balance and lbm.require_peers as functions; their types are '"
                    + functions.body() + "'");
        }
        if (router) {
            NginxPeersEndpoint.Answer routerFunctions = endpoint.get("/_lbm/router");
            if (!routerFunctions.body().equals(ROUTER_PRESENT)) {
                return new Verdict(false, "lbm-lua.conf must define lbm.route, lbm.balance_routed, lbm.update_routes and lbm.not_found"
                        + " as functions to route services by Lua; their types are '" + routerFunctions.body() + "'");
            }
            return new Verdict(true, "Lua balancer and router available (" + modulesDir + ")");
        }
        return new Verdict(true, "Lua balancer available (" + modulesDir + ")");
    }

    /** Nginx's first serious line (an init_by_lua error says where in lbm-lua.conf), else the last line. */
    private static String seriousLine(String output) {
        return output.lines().filter(line -> line.contains("[emerg]") || line.contains("[alert]") || line.contains("[error]")).findFirst()
                .map(line -> line.replaceFirst("^\\d{4}/\\d{2}/\\d{2} [0-9:]+ ", ""))
                .orElseGet(() -> lastLine(output));
    }

    private static String lastLine(String text) {
        String[] lines = text.split("\n");
        return lines[lines.length - 1];
    }
}
