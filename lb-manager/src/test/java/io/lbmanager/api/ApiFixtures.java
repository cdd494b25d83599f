package io.lbmanager.api;

/** Request bodies the API tests start from. */
final class ApiFixtures {

    static final String ROOT = "/lb-manager";
    /** The desired state the API writes; tokens and the audit trail live next to it, under {@code ROOT/auth}. */
    static final String CATALOG = ROOT + "/catalog";

    private ApiFixtures() {
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
