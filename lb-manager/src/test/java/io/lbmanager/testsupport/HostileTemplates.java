package io.lbmanager.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Template proposals that try to make the manager's {@code nginx -t} read a planted secret, write
 * outside its sandbox, load a module or run Lua; for the validate endpoint and the validate command
 * alike. Each case names the paths that must never appear on the host.
 */
public final class HostileTemplates implements AutoCloseable {

    /** One proposal: {@code template} replaced by {@code content}. */
    public record Case(String name, String template, String content, List<Path> mustNotExist) {
        @Override
        public String toString() {
            return name;
        }
    }

    private final String marker = "lbmsecret" + UUID.randomUUID().toString().replace("-", "");
    private final Path secret;
    private final Path outside;

    /** Plants a secret file in /tmp and makes a writable directory outside any sandbox that must stay empty. */
    public HostileTemplates() {
        try {
            secret = Files.createTempFile("lbm-secret-", ".conf");
            Files.writeString(secret, marker + " on;\n" + marker + "_too 1;\n");
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
            // open to every user, so that an unjailed nginx -t, whoever runs it, could create what the cases name here
            outside = Files.createTempDirectory("lbm-outside-");
            Files.setPosixFilePermissions(outside, PosixFilePermissions.fromString("rwxrwxrwx"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The secret's content marker: no response byte may contain it. */
    public String marker() {
        return marker;
    }

    /** Whether nothing was created in the directory outside every sandbox. */
    public boolean outsideIsEmpty() {
        try (var entries = Files.list(outside)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<Case> cases(Path installedTemplates) {
        String main;
        String lua;
        try {
            main = Files.readString(installedTemplates.resolve("nginx.conf.ftl"));
            lua = Files.readString(installedTemplates.resolve("lua.conf.ftl"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String secretPath = secret.toString();
        String secretName = secret.getFileName().toString();
        Path out = outside;
        List<Case> cases = new ArrayList<>();
        cases.add(location("absolute include built by FreeMarker", "include ${\"/\"}" + secretPath.substring(1) + ";"));
        cases.add(location("relative include", "include " + "../".repeat(12) + secretPath.substring(1) + ";"));
        cases.add(location("directive name built by FreeMarker", "<#assign d=\"inc\" + \"lude\">${d} ${\"/t\" + \"mp\"}/" + secretName + ";"));
        cases.add(location("quoted name split over lines", "\"include\"\n        '" + secretPath + "';"));
        cases.add(location("include hidden behind an escaped name", "inc${\"\"}lude\n" + secretPath + ";"));
        cases.add(location("error_log in a location", "error_log " + out.resolve("location-error.log") + ";", out.resolve("location-error.log")));
        cases.add(location("access_log in a location", "access_log " + out.resolve("access.log") + ";", out.resolve("access.log")));
        cases.add(location("client_body_temp_path in a location", "client_body_temp_path " + out.resolve("body") + ";", out.resolve("body")));
        cases.add(location("content_by_lua_block", "content_by_lua_block { os.execute(\"touch " + out.resolve("lua-ran") + "\") }",
                out.resolve("lua-ran")));
        cases.add(location("ssl_certificate of the secret", "ssl_certificate " + secretPath + ";"));
        cases.add(mainCase("include in nginx.conf", main.replace("http {", "http {\n    include " + secretPath + ";")));
        cases.add(mainCase("error_log in nginx.conf", "error_log " + out.resolve("main-error.log") + ";\n" + main, out.resolve("main-error.log")));
        cases.add(mainCase("access_log in nginx.conf", main.replace("access_log off;", "access_log " + out.resolve("main-access.log") + ";"),
                out.resolve("main-access.log")));
        cases.add(mainCase("proxy_temp_path and scgi_temp_path outside", main.replace("tmp/proxy", out.resolve("proxy").toString())
                .replace("tmp/scgi", out.resolve("scgi").toString()), out.resolve("proxy"), out.resolve("scgi")));
        cases.add(mainCase("pid in nginx.conf", "pid " + out.resolve("nginx.pid") + ";\n" + main, out.resolve("nginx.pid")));
        cases.add(mainCase("load_module in nginx.conf", "load_module /usr/lib/nginx/modules/ngx_http_lua_module.so;\n" + main));
        cases.add(mainCase("init_by_lua in nginx.conf", main.replace("http {", "http {\n    init_by_lua 'os.execute(\"touch "
                + out.resolve("init-ran") + "\")';"), out.resolve("init-ran")));
        cases.add(mainCase("perl in nginx.conf", main.replace("http {", "http {\n    perl_modules /tmp;\n    perl_require x.pm;")));
        cases.add(new Case("Lua of the caller's in lua.conf.ftl", "lua.conf.ftl",
                lua.replace("lbm = {}", "lbm = {}\n    os.execute(\"touch " + out.resolve("lua-init") + "\")"), List.of(out.resolve("lua-init"))));
        return cases;
    }

    private static Case location(String name, String inside, Path... mustNotExist) {
        return new Case(name, "location.conf.ftl", "location /zz-${service.id} {\n    " + inside + "\n    return 204;\n}\n", List.of(mustNotExist));
    }

    private static Case mainCase(String name, String content, Path... mustNotExist) {
        return new Case(name, "nginx.conf.ftl", content, List.of(mustNotExist));
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(secret);
            try (var entries = Files.walk(outside)) {
                entries.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        } catch (IOException e) {
            // a leftover temp file is harmless
        }
    }
}
