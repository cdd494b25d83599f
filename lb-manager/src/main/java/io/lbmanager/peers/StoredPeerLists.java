package io.lbmanager.peers;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a group's peer buckets hold, as far as the leading manager knows, and which buckets changed
 * since they were last written. Not thread-safe: the peer publisher's thread owns it.
 */
final class StoredPeerLists {

    private final Map<Integer, Map<String, PeerList>> buckets = new HashMap<>();
    private final Set<Integer> existing = new HashSet<>();
    private final Set<Integer> changed = new TreeSet<>();

    /** A bucket node as read: it exists, holding {@code lists}. */
    void read(int bucket, Map<String, PeerList> lists) {
        buckets.put(bucket, new HashMap<>(lists));
        existing.add(bucket);
    }

    /** A bucket node that exists but could not be read: written anew with whatever belongs in it. */
    void unreadable(int bucket) {
        existing.add(bucket);
        changed.add(bucket);
    }

    PeerList get(String service) {
        Map<String, PeerList> bucket = buckets.get(PeerBucket.of(service));
        return bucket == null ? null : bucket.get(service);
    }

    /** Stores {@code list}; its bucket changes unless it holds an equal list (kept, then, as this instance: compared by identity next time). */
    void put(PeerList list) {
        int bucket = PeerBucket.of(list.service());
        PeerList before = buckets.computeIfAbsent(bucket, b -> new HashMap<>()).put(list.service(), list);
        if (before != list && !list.equals(before)) {
            changed.add(bucket);
        }
    }

    void remove(String service) {
        int bucket = PeerBucket.of(service);
        Map<String, PeerList> lists = buckets.get(bucket);
        if (lists != null && lists.remove(service) != null) {
            changed.add(bucket);
        }
    }

    /** Every service with a list. */
    List<String> services() {
        return buckets.values().stream().flatMap(lists -> lists.keySet().stream()).toList();
    }

    Set<Integer> changedBuckets() {
        return Set.copyOf(changed);
    }

    /** The lists of a bucket (empty: its node should not exist). */
    List<PeerList> lists(int bucket) {
        return List.copyOf(buckets.getOrDefault(bucket, Map.of()).values());
    }

    boolean exists(int bucket) {
        return existing.contains(bucket);
    }

    /** The bucket's node now holds its lists (or, with none, is gone). */
    void written(int bucket) {
        changed.remove(bucket);
        if (buckets.getOrDefault(bucket, Map.of()).isEmpty()) {
            buckets.remove(bucket);
            existing.remove(bucket);
        } else {
            existing.add(bucket);
        }
    }
}
