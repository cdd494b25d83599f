package io.lbmanager.baragon;

import io.lbmanager.catalog.ServiceDefinition;
import io.lbmanager.catalog.Upstream;

import java.util.List;
import java.util.Optional;

/** What one load-balancer request does to the catalog, once every value in it passed our rules. */
sealed interface CatalogChange {

    /**
     * Create or replace the service and edit its static upstreams, in one transaction.
     *
     * @param replace when present, the static upstreams become exactly these, before add and remove apply
     */
    record Put(ServiceDefinition definition, List<Upstream> add, List<Upstream> remove, Optional<List<Upstream>> replace)
            implements CatalogChange {
        public Put {
            add = List.copyOf(add);
            remove = List.copyOf(remove);
        }

        List<Upstream> applyTo(List<Upstream> current) {
            List<Upstream> next = new java.util.ArrayList<>(replace.orElse(current));
            next.removeIf(u -> remove.stream().anyMatch(r -> sameAddress(u, r)));
            for (Upstream upstream : add) {
                if (next.stream().noneMatch(u -> sameAddress(u, upstream))) {
                    next.add(upstream);
                }
            }
            return next;
        }

        private static boolean sameAddress(Upstream a, Upstream b) {
            return a.address().equals(b.address());
        }
    }

    record Delete(String serviceId) implements CatalogChange {
    }

    /** RELOAD: lb-manager reloads Nginx only when the config changed, so there is nothing to do. */
    record Nothing(String serviceId, String why) implements CatalogChange {
    }
}
