package io.lbmanager.validate;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class NginxErrorsTest {

    private static final Path DIR = Path.of("/tmp/lbm-validate-123/conf");

    @Test
    void onlyAServicesOwnPieceFilesNameTheService() {
        assertThat(NginxErrors.serviceOf("upstreams/orders.conf")).isEqualTo("orders");
        assertThat(NginxErrors.serviceOf("locations/a-b_c9.conf")).isEqualTo("a-b_c9");
        for (String notAPiece : new String[]{null, "nginx.conf", "lbm-agent.conf", "upstreams/.conf", "upstreams/x/y.conf",
                "lua/orders.conf", "upstreams/orders.conf.bak", "upstreams/orders", "xupstreams/orders.conf"}) {
            assertThat(NginxErrors.serviceOf(notAPiece)).as(notAPiece).isNull();
        }
    }

    @Test
    void logFormatLineMapsToRelativeFileLineAndService() {
        String output = "2024/05/01 10:00:00 [emerg] 14536#14536: unknown directive \"foo\" in /tmp/lbm-validate-123/conf/locations/shop.conf:2\n"
                + "nginx: configuration file /tmp/lbm-validate-123/conf/nginx.conf test failed\n";

        assertThat(NginxErrors.parse(output, DIR)).containsExactly(
                new ConfigError("locations/shop.conf", 2, "shop", "unknown directive \"foo\""));
    }

    @Test
    void prefixedFormatAndUpstreamFilesMapToo() {
        String output = "nginx: [emerg] host not found in upstream \"db.invalid:80\" in /tmp/lbm-validate-123/conf/upstreams/orders-v2.conf:4";

        assertThat(NginxErrors.parse(output, DIR)).containsExactly(
                new ConfigError("upstreams/orders-v2.conf", 4, "orders-v2", "host not found in upstream \"db.invalid:80\""));
    }

    @Test
    void errorWithoutFileKeepsMessageWithSandboxPathStripped() {
        String output = "2024/05/01 10:00:00 [crit] 1#1: open() \"/tmp/lbm-validate-123/conf/tmp/body\" failed (13: Permission denied)";

        assertThat(NginxErrors.parse(output, DIR)).containsExactly(
                new ConfigError(null, null, null, "open() \"tmp/body\" failed (13: Permission denied)"));
    }

    @Test
    void warningsAndNoticesAreNotErrors() {
        String output = "2024/05/01 10:00:00 [warn] 1#1: \"ssl_stapling\" ignored in /tmp/lbm-validate-123/conf/nginx.conf:3\n"
                + "nginx: [notice] something\n";

        assertThat(NginxErrors.parse(output, DIR)).isEmpty();
    }

    @Test
    void fileOutsideTheBundleKeepsItsPathButNotItsTextAndNamesNoService() {
        String output = "nginx: [emerg] unknown directive \"root:x:0:0:root:/root:/bin/bash\" in /etc/nginx/locations/x.conf:1";

        assertThat(NginxErrors.parse(output, DIR)).containsExactly(
                new ConfigError("/etc/nginx/locations/x.conf", 1, null, "nginx rejected the content of a file outside the bundle (not shown)"));
    }
}
