package io.lbmanager.routes;

import io.lbmanager.contract.RouteLine;

/** The bodies of {@code POST /_lbm/routes}: a whole table, or the delta from the version Nginx holds. */
final class RoutesPush {

    private RoutesPush() {
    }

    static String wholeTable(long version, RoutingTable table) {
        StringBuilder body = new StringBuilder("table ").append(version).append('\n');
        table.lines().forEach(line -> body.append(line.format()).append('\n'));
        return body.toString();
    }

    static String delta(long fromVersion, long toVersion, RoutesDelta delta) {
        StringBuilder body = new StringBuilder("delta ").append(fromVersion).append(' ').append(toVersion).append('\n');
        for (RouteLine line : delta.upserts()) {
            body.append(line.format()).append('\n');
        }
        for (String removed : delta.removals()) {
            body.append("- ").append(removed).append('\n');
        }
        return body.toString();
    }
}
