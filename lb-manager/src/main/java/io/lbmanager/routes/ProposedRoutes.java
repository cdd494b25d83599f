package io.lbmanager.routes;

import io.lbmanager.contract.RouteLine;
import io.lbmanager.render.ProfilesInUse;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The routing tables the leading manager proposed per group since the one every agent confirmed
 * (the live table): what agents may hold in Nginx now. The routes pipeline keeps a service's
 * proposed line while its new option profile waits for the config, and the renderer keeps every
 * profile these tables name ({@link ProfilesInUse}). At most {@value #KEPT} tables per group.
 */
public final class ProposedRoutes implements ProfilesInUse {

    static final int KEPT = 8;

    private record Proposed(RoutingTable table, Set<String> profiles) {
    }

    private final Map<String, Deque<Proposed>> byGroup = new ConcurrentHashMap<>();

    /** Records a proposal of {@code table}, dropping the tables proposed before the live one (sha256 {@code liveSha256}). */
    synchronized void proposed(RoutingTable table, String liveSha256) {
        Deque<Proposed> tables = byGroup.computeIfAbsent(table.group(), group -> new ArrayDeque<>());
        if (tables.isEmpty() || !tables.peekLast().table().sha256().equals(table.sha256())) {
            tables.addLast(new Proposed(table, table.profiles()));
        }
        if (liveSha256 != null && tables.stream().anyMatch(p -> p.table().sha256().equals(liveSha256))) {
            while (!tables.peekFirst().table().sha256().equals(liveSha256)) {
                tables.removeFirst();
            }
        }
        while (tables.size() > KEPT) {
            tables.removeFirst();
        }
    }

    /** The line the newest proposed table has for the service. */
    synchronized Optional<RouteLine> lineOf(String group, String serviceId) {
        Deque<Proposed> tables = byGroup.get(group);
        return tables == null || tables.isEmpty() ? Optional.empty() : tables.peekLast().table().route(serviceId);
    }

    /** Forgets every group, e.g. when leadership moves (another manager proposed meanwhile). */
    synchronized void clear() {
        byGroup.clear();
    }

    @Override
    public synchronized Set<String> of(String group) {
        Deque<Proposed> tables = byGroup.get(group);
        if (tables == null) {
            return Set.of();
        }
        Set<String> names = new HashSet<>();
        tables.forEach(p -> names.addAll(p.profiles()));
        return names;
    }
}
