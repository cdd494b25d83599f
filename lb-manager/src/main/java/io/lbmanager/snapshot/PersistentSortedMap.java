package io.lbmanager.snapshot;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * An immutable sorted map (natural key order) whose {@link #plus} and {@link #minus} return a new
 * map sharing all but O(log n) nodes with this one (a persistent AVL tree): a snapshot that
 * differs from the previous one in one service costs one path of the tree, not a copy of 50,000
 * entries. Reads are O(log n); the {@code Map} mutators throw. Built only in this package, so a
 * snapshot that is handed one knows it holds nothing mutable it has not checked itself.
 */
final class PersistentSortedMap<K extends Comparable<K>, V> extends AbstractMap<K, V> implements SortedMap<K, V> {

    private record Node<K, V>(K key, V value, Node<K, V> left, Node<K, V> right, int height, int size) {

        static <K, V> Node<K, V> of(K key, V value, Node<K, V> left, Node<K, V> right) {
            return new Node<>(key, value, left, right, 1 + Math.max(PersistentSortedMap.height(left), PersistentSortedMap.height(right)),
                    1 + PersistentSortedMap.size(left) + PersistentSortedMap.size(right));
        }
    }

    private static final PersistentSortedMap<?, ?> EMPTY = new PersistentSortedMap<>(null);

    private final Node<K, V> root;

    private PersistentSortedMap(Node<K, V> root) {
        this.root = root;
    }

    @SuppressWarnings("unchecked")
    static <K extends Comparable<K>, V> PersistentSortedMap<K, V> empty() {
        return (PersistentSortedMap<K, V>) EMPTY;
    }

    /** The entries of {@code map} (no null keys or values), in a balanced tree built in linear time. */
    @SuppressWarnings("unchecked")
    static <K extends Comparable<K>, V> PersistentSortedMap<K, V> copyOf(Map<K, V> map) {
        if (map instanceof PersistentSortedMap<K, V> persistent) {
            return persistent;
        }
        SortedMap<K, V> sorted = map instanceof SortedMap<K, V> s && s.comparator() == null ? s : new TreeMap<>(map);
        Map.Entry<K, V>[] entries = sorted.entrySet().toArray(new Map.Entry[0]);
        return new PersistentSortedMap<>(balanced(entries, 0, entries.length));
    }

    /** This map with {@code key} mapped to {@code value}; this map itself when it held that already. */
    PersistentSortedMap<K, V> plus(K key, V value) {
        if (key == null || value == null) {
            throw new NullPointerException("no null keys or values");
        }
        Node<K, V> next = insert(root, key, value);
        return next == root ? this : new PersistentSortedMap<>(next);
    }

    /** This map without {@code key}; this map itself when it had no such key. */
    PersistentSortedMap<K, V> minus(K key) {
        Node<K, V> next = delete(root, key);
        return next == root ? this : new PersistentSortedMap<>(next);
    }

    /**
     * Calls {@code changed} with every key whose value is not the same object here as in {@code earlier}
     * (or that only one of the two maps has), in key order. Subtrees the two maps share are skipped, so
     * the cost is about what changed between them, not their size.
     *
     * @return how many subtrees were opened (the cost)
     */
    int forEachChangedKey(PersistentSortedMap<K, V> earlier, Consumer<K> changed) {
        int opened = 0;
        Cursor<K, V> before = new Cursor<>(earlier.root);
        Cursor<K, V> after = new Cursor<>(root);
        while (!before.done() && !after.done()) {
            Cursor.Item<K, V> x = before.top();
            Cursor.Item<K, V> y = after.top();
            if (x.whole() && y.whole() && x.node() == y.node()) {
                before.pop();
                after.pop();
            } else if (!x.whole() && !y.whole()) {
                int order = x.node().key().compareTo(y.node().key());
                if (order == 0 && x.node().value() != y.node().value()) {
                    changed.accept(x.node().key());
                } else if (order != 0) {
                    changed.accept((order < 0 ? x : y).node().key());
                }
                if (order <= 0) {
                    before.pop();
                }
                if (order >= 0) {
                    after.pop();
                }
            } else if (x.whole() && x.highest().compareTo(y.lowest()) < 0) {
                before.popTelling(changed);
            } else if (y.whole() && y.highest().compareTo(x.lowest()) < 0) {
                after.popTelling(changed);
            } else if (x.whole() && (!y.whole() || x.node().size() >= y.node().size())) {
                before.expand();
                opened++;
            } else {
                after.expand();
                opened++;
            }
        }
        while (!before.done()) {
            before.popTelling(changed);
        }
        while (!after.done()) {
            after.popTelling(changed);
        }
        return opened;
    }

    @Override
    public V get(Object key) {
        Node<K, V> node = find(key);
        return node == null ? null : node.value();
    }

    @Override
    public boolean containsKey(Object key) {
        return find(key) != null;
    }

    @Override
    public int size() {
        return size(root);
    }

    @Override
    public Set<Entry<K, V>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<K, V>> iterator() {
                return new InOrder<>(root);
            }

            @Override
            public int size() {
                return PersistentSortedMap.this.size();
            }
        };
    }

    @Override
    public Comparator<? super K> comparator() {
        return null;
    }

    @Override
    public K firstKey() {
        return outermostKey(true);
    }

    @Override
    public K lastKey() {
        return outermostKey(false);
    }

    private K outermostKey(boolean leftmost) {
        if (root == null) {
            throw new NoSuchElementException();
        }
        Node<K, V> node = root;
        for (Node<K, V> next = leftmost ? node.left() : node.right(); next != null; next = leftmost ? node.left() : node.right()) {
            node = next;
        }
        return node.key();
    }

    /** Range views are copies (O(n)); nothing on a per-change path asks for them. */
    @Override
    public SortedMap<K, V> subMap(K fromKey, K toKey) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(this).subMap(fromKey, toKey));
    }

    @Override
    public SortedMap<K, V> headMap(K toKey) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(this).headMap(toKey));
    }

    @Override
    public SortedMap<K, V> tailMap(K fromKey) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(this).tailMap(fromKey));
    }

    @SuppressWarnings("unchecked")
    private Node<K, V> find(Object key) {
        if (key == null) {
            return null;
        }
        K wanted = (K) key;
        Node<K, V> node = root;
        while (node != null) {
            int order = wanted.compareTo(node.key());
            if (order == 0) {
                return node;
            }
            node = order < 0 ? node.left() : node.right();
        }
        return null;
    }

    private static <K, V> Node<K, V> balanced(Map.Entry<K, V>[] entries, int from, int to) {
        if (from >= to) {
            return null;
        }
        int middle = (from + to) >>> 1;
        Map.Entry<K, V> entry = entries[middle];
        if (entry.getKey() == null || entry.getValue() == null) {
            throw new NullPointerException("no null keys or values");
        }
        return Node.of(entry.getKey(), entry.getValue(), balanced(entries, from, middle), balanced(entries, middle + 1, to));
    }

    private static <K extends Comparable<K>, V> Node<K, V> insert(Node<K, V> node, K key, V value) {
        if (node == null) {
            return Node.of(key, value, null, null);
        }
        int order = key.compareTo(node.key());
        if (order == 0) {
            return node.value() == value ? node : new Node<>(key, value, node.left(), node.right(), node.height(), node.size());
        }
        if (order < 0) {
            Node<K, V> left = insert(node.left(), key, value);
            return left == node.left() ? node : rebalance(node.key(), node.value(), left, node.right());
        }
        Node<K, V> right = insert(node.right(), key, value);
        return right == node.right() ? node : rebalance(node.key(), node.value(), node.left(), right);
    }

    private static <K extends Comparable<K>, V> Node<K, V> delete(Node<K, V> node, K key) {
        if (node == null) {
            return null;
        }
        int order = key.compareTo(node.key());
        if (order < 0) {
            Node<K, V> left = delete(node.left(), key);
            return left == node.left() ? node : rebalance(node.key(), node.value(), left, node.right());
        }
        if (order > 0) {
            Node<K, V> right = delete(node.right(), key);
            return right == node.right() ? node : rebalance(node.key(), node.value(), node.left(), right);
        }
        if (node.left() == null) {
            return node.right();
        }
        if (node.right() == null) {
            return node.left();
        }
        Node<K, V> successor = node.right();
        while (successor.left() != null) {
            successor = successor.left();
        }
        return rebalance(successor.key(), successor.value(), node.left(), delete(node.right(), successor.key()));
    }

    private static <K, V> Node<K, V> rebalance(K key, V value, Node<K, V> left, Node<K, V> right) {
        int balance = height(left) - height(right);
        if (balance > 1) {
            if (height(left.left()) < height(left.right())) {
                left = rotateLeft(left);
            }
            return rotateRight(key, value, left, right);
        }
        if (balance < -1) {
            if (height(right.right()) < height(right.left())) {
                right = rotateRight(right);
            }
            return rotateLeft(key, value, left, right);
        }
        return Node.of(key, value, left, right);
    }

    private static <K, V> Node<K, V> rotateRight(Node<K, V> node) {
        return rotateRight(node.key(), node.value(), node.left(), node.right());
    }

    private static <K, V> Node<K, V> rotateLeft(Node<K, V> node) {
        return rotateLeft(node.key(), node.value(), node.left(), node.right());
    }

    /** The tree (key, value, left, right) turned right: left's root on top. */
    private static <K, V> Node<K, V> rotateRight(K key, V value, Node<K, V> left, Node<K, V> right) {
        return Node.of(left.key(), left.value(), left.left(), Node.of(key, value, left.right(), right));
    }

    /** The tree (key, value, left, right) turned left: right's root on top. */
    private static <K, V> Node<K, V> rotateLeft(K key, V value, Node<K, V> left, Node<K, V> right) {
        return Node.of(right.key(), right.value(), Node.of(key, value, left, right.left()), right.right());
    }

    private static int height(Node<?, ?> node) {
        return node == null ? 0 : node.height();
    }

    private static int size(Node<?, ?> node) {
        return node == null ? 0 : node.size();
    }

    /** An in-order walk whose next item is a key or a whole subtree not yet opened. */
    private static final class Cursor<K, V> {

        record Item<K, V>(Node<K, V> node, boolean whole) {

            K lowest() {
                Node<K, V> n = node;
                while (whole && n.left() != null) {
                    n = n.left();
                }
                return n.key();
            }

            K highest() {
                Node<K, V> n = node;
                while (whole && n.right() != null) {
                    n = n.right();
                }
                return n.key();
            }
        }

        private final Deque<Item<K, V>> items = new ArrayDeque<>();

        Cursor(Node<K, V> root) {
            pushWhole(root);
        }

        boolean done() {
            return items.isEmpty();
        }

        Item<K, V> top() {
            return items.peek();
        }

        void pop() {
            items.pop();
        }

        /** Opens the subtree on top into its left subtree, its own key and its right subtree. */
        void expand() {
            Node<K, V> node = items.pop().node();
            pushWhole(node.right());
            items.push(new Item<>(node, false));
            pushWhole(node.left());
        }

        /** Pops the item on top, telling {@code keys} each key it holds. */
        void popTelling(Consumer<K> keys) {
            Item<K, V> item = items.pop();
            if (item.whole()) {
                new InOrder<>(item.node()).forEachRemaining(entry -> keys.accept(entry.getKey()));
            } else {
                keys.accept(item.node().key());
            }
        }

        private void pushWhole(Node<K, V> node) {
            if (node != null) {
                items.push(new Item<>(node, true));
            }
        }
    }

    private static final class InOrder<K, V> implements Iterator<Entry<K, V>> {

        private final Deque<Node<K, V>> path = new ArrayDeque<>();

        InOrder(Node<K, V> root) {
            descendLeft(root);
        }

        @Override
        public boolean hasNext() {
            return !path.isEmpty();
        }

        @Override
        public Entry<K, V> next() {
            if (path.isEmpty()) {
                throw new NoSuchElementException();
            }
            Node<K, V> node = path.pop();
            descendLeft(node.right());
            return Map.entry(node.key(), node.value());
        }

        private void descendLeft(Node<K, V> node) {
            for (Node<K, V> n = node; n != null; n = n.left()) {
                path.push(n);
            }
        }
    }
}
