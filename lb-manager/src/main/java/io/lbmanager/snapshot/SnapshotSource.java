package io.lbmanager.snapshot;

import io.lbmanager.discovery.DiscoveryWatcher;

/** Takes the current desired state from the catalog and discovery watches as one immutable value. */
public final class SnapshotSource {

    private final CatalogWatcher catalog;
    private final DiscoveryWatcher discovery;

    public SnapshotSource(CatalogWatcher catalog, DiscoveryWatcher discovery) {
        this.catalog = catalog;
        this.discovery = discovery;
    }

    /** A snapshot taken before both watches finished their first read would be partial: never render it. */
    public boolean isComplete() {
        return catalog.isInitialized() && discovery.isInitialized();
    }

    public CatalogSnapshot current() {
        return new CatalogSnapshot(catalog.groups(), catalog.services(), discovery.instances());
    }

    public CatalogWatcher catalog() {
        return catalog;
    }

    public DiscoveryWatcher discovery() {
        return discovery;
    }
}
