package io.lbmanager.peers;

import io.lbmanager.validate.NginxValidator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Whether an nginx binary can run the Lua balancer: starts it once, in the foreground on a unix
 * socket in a temporary directory, with both modules loaded, an {@code init_by_lua_block} that
 * requires {@code ngx.balancer} (which needs lua-resty-core) and a shared dict, then asks it to
 * answer through Lua. {@code nginx -t} alone cannot tell: it does not run {@code init_by_lua}.
 */
public final class LuaBalancerProbe {

    /** @param reason why not, or what was found */
    public record Verdict(boolean available, String reason) {
    }

    private LuaBalancerProbe() {
    }

    public static Verdict probe(String nginxBinary, String luaModulesDir, Duration timeout) {
        for (String module : List.of("ndk_http_module.so", "ngx_http_lua_module.so")) {
            if (!Files.isRegularFile(Path.of(luaModulesDir, module))) {
                return new Verdict(false, Path.of(luaModulesDir, module) + " does not exist (Debian: apt-get install libnginx-mod-http-lua lua-resty-core)");
            }
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("lbm-lua-probe-");
            return run(nginxBinary, luaModulesDir, dir, timeout);
        } catch (IOException e) {
            return new Verdict(false, "cannot run the Lua probe: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Verdict(false, "interrupted while probing for the Lua module");
        } finally {
            NginxValidator.deleteQuietly(dir);
        }
    }

    private static Verdict run(String nginxBinary, String modulesDir, Path dir, Duration timeout) throws IOException, InterruptedException {
        Path socket = dir.resolve("probe.sock");
        Files.createDirectories(dir.resolve("logs"));
        Files.writeString(dir.resolve("nginx.conf"), String.join("\n",
                "load_module " + modulesDir + "/ndk_http_module.so;",
                "load_module " + modulesDir + "/ngx_http_lua_module.so;",
                "events { worker_connections 16; }",
                "http {",
                "    access_log off;",
                "    client_body_temp_path " + dir + "/body;",
                "    lua_shared_dict lbm_probe 1m;",
                "    init_by_lua_block { require \"ngx.balancer\" }",
                "    server {",
                "        listen unix:" + socket + ";",
                "        location = /_lbm/peers { content_by_lua_block { ngx.shared.lbm_probe:safe_set(\"k\", \"v\"); ngx.say(\"set 0 removed 0\") } }",
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
                        NginxPeersEndpoint.Answer answer = endpoint.post("");
                        return answer.ok()
                                ? new Verdict(true, "Lua balancer available (" + modulesDir + ")")
                                : new Verdict(false, "the Lua probe answered " + answer.status() + ": " + answer.body());
                    } catch (IOException notYet) {
                        // bound before listening; try again
                    }
                }
                Thread.sleep(10);
            }
            String said = Files.readString(output, StandardCharsets.UTF_8).strip();
            return new Verdict(false, "nginx with the Lua modules did not answer"
                    + (said.isEmpty() ? " within " + timeout.toMillis() + " ms" : ": " + lastLine(said)));
        } finally {
            nginx.destroy();
            if (!nginx.waitFor(5, TimeUnit.SECONDS)) {
                nginx.destroyForcibly();
            }
        }
    }

    private static String lastLine(String text) {
        String[] lines = text.split("\n");
        return lines[lines.length - 1];
    }
}
