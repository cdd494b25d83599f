package io.lbmanager.api;

import io.lbmanager.testsupport.ManagerExtension;
import io.lbmanager.testsupport.ZooKeeperExtension;

/** The manager and the request bodies the API tests start from. */
final class ApiFixtures {

    static final String ROOT = "/lb-manager";
    /** The desired state the API writes; tokens and the audit trail live next to it, under {@code ROOT/auth}. */
    static final String CATALOG = ROOT + "/catalog";
    static final int MAX_BODY_BYTES = 4096;

    private ApiFixtures() {
    }

    /** The catalog API alone (ZooKeeper changes only by what a test sends), with a 4 KiB body limit. */
    static ManagerExtension catalogApi(ZooKeeperExtension zk) {
        ApiConfig api = new ApiConfig();
        api.maxBodyBytes = MAX_BODY_BYTES;
        return ManagerExtension.catalogApiOnly(zk, api);
    }

    /** A valid service body with the given base path and groups (a JSON array body, e.g. {@code "edge","internal"}). */
    static String service(String basePath, String groupsJson) {
        return """
                {"owners": ["team-payments", "alice@example.com"], "basePath": "%s", "groups": [%s],
                 "options": {"proxyReadTimeoutMs": 30000, "loadBalancing": "least_conn", "websocket": true},
                 "discoveryName": "payments.v2"}
                """.formatted(basePath, groupsJson);
    }

    static String service(String basePath) {
        return service(basePath, "\"edge\"");
    }
}
