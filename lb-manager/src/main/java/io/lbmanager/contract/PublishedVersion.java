package io.lbmanager.contract;

/**
 * A config version of one LB group as published to ZooKeeper. Versions only grow;
 * the bundle itself lives at {@code ZkLayout.groupVersion(group, version)}.
 */
public record PublishedVersion(String group, long version, String sha256, long publishedAtMillis, String cause) {
}
