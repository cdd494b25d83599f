package io.lbmanager.snapshot;

/** A consumer of desired state: told of every new guarded snapshot, on the snapshot source's thread. */
public interface SnapshotListener {

    void snapshotChanged(CatalogSnapshot snapshot, SnapshotChange change);
}
