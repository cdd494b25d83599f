package io.lbmanager.snapshot;

/** What discovery tells the snapshot source, one node at a time, as values already checked. */
public interface DiscoveryFeed {

    /** The instance at {@code path} appeared or changed. */
    void instanceChanged(String path, DiscoveredInstance instance);

    /** The instance at {@code path} is gone (unregistered, expired, or no longer valid). */
    void instanceRemoved(String path);

    /** The node at {@code path} was refused; it is never routed. */
    void discoveryNodeRefused(String path, String reason);

    /** The first full read of discovery is done. */
    void discoveryRead();
}
