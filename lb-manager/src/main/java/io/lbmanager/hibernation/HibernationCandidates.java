package io.lbmanager.hibernation;

import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.snapshot.CatalogSnapshot;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The services of a catalog with a {@code hibernation} option, kept per change: a check every 200 ms
 * looks at those few, not at every service of a 50,000-service catalog. Not thread-safe: the
 * hibernator's one thread uses it.
 */
final class HibernationCandidates {

    private final Set<String> ids = new HashSet<>();
    private CatalogSnapshot seen;

    /**
     * The ids in {@code snapshot} with a hibernation option; {@code dropped} hears each id that had
     * one in the snapshot seen before and has none now (its option removed, or the service deleted).
     */
    Set<String> in(CatalogSnapshot snapshot, Consumer<String> dropped) {
        if (snapshot == seen) {
            return ids;
        }
        Iterable<String> changed = seen == null ? snapshot.services().keySet() : snapshot.changesSince(seen).serviceIds();
        for (String id : changed) {
            ServiceRecord service = snapshot.services().get(id);
            if (service != null && HibernationSetting.of(service.definition().options()).isPresent()) {
                ids.add(id);
            } else if (ids.remove(id)) {
                dropped.accept(id);
            }
        }
        seen = snapshot;
        return ids;
    }
}
