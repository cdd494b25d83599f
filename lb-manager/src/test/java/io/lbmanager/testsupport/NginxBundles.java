package io.lbmanager.testsupport;

import io.lbmanager.contract.ConfigBundle;

import java.util.Map;

/** Small hand-written bundles in the shape the renderer produces: no pid/daemon/error_log, temp paths under tmp/. */
public final class NginxBundles {

    private NginxBundles() {
    }

    /** Routes every request to one backend on 127.0.0.1. */
    public static ConfigBundle proxyingTo(String group, int backendPort) {
        return ConfigBundle.of(group, Map.of(
                ConfigBundle.MAIN_FILE, mainConfig("include upstreams/*.conf;", "include locations/*.conf;"),
                "upstreams/backend.conf", "upstream backend { server 127.0.0.1:" + backendPort + "; keepalive 4; }\n",
                "locations/backend.conf", """
                        location / {
                            proxy_pass http://backend;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                        }
                        """));
    }

    /** Passes a syntax look but fails {@code nginx -t}: an unknown directive. */
    public static ConfigBundle rejectedByNginx(String group) {
        return ConfigBundle.of(group, Map.of(
                ConfigBundle.MAIN_FILE, mainConfig("", "bogus_directive on;")));
    }

    /**
     * Includes {@code file} (an absolute path) in its http block, then has an unknown directive. A FIFO
     * there holds the master that loads this bundle until the test opens it for writing (Nginx reads
     * it as empty): a refusal as late as the test wants.
     */
    public static ConfigBundle refusedAfterReading(String group, java.nio.file.Path file) {
        return ConfigBundle.of(group, Map.of(ConfigBundle.MAIN_FILE, mainConfig("include " + file + ";\nbogus_slow_directive on;", "")));
    }

    private static String mainConfig(String httpExtra, String serverExtra) {
        return """
                worker_processes 1;
                events { worker_connections 256; }
                http {
                    access_log off;
                    client_body_temp_path tmp/client_body;
                    proxy_temp_path tmp/proxy;
                    fastcgi_temp_path tmp/fastcgi;
                    uwsgi_temp_path tmp/uwsgi;
                    scgi_temp_path tmp/scgi;
                    %s
                    server {
                        include lbm-agent.conf;
                        %s
                    }
                }
                """.formatted(httpExtra, serverExtra);
    }
}
