package io.lbmanager.catalog;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The catalog calls this manager is answering now, and the services it wrote that the newest
 * snapshot may not show yet: what lets a burst of API calls that started together (50 services
 * PUT at once) reach Nginx as one routing table, while a single call goes out as soon as the
 * snapshot shows it. Writes through another manager are not known here.
 *
 * <p>A write is the record as every reader parses it from the bytes written, so a snapshot that
 * read those bytes holds an equal record. A call that never ended stops counting after
 * {@value #FORGET_CALL_SECONDS} s; a write no snapshot showed within {@value #FORGET_WRITE_MILLIS} ms
 * (another writer replaced it) is forgotten.
 */
public final class CatalogWrites {

    static final long FORGET_CALL_SECONDS = 10;
    static final long FORGET_WRITE_MILLIS = 1_000;

    private final LongSupplier nanos;
    private final Map<Long, Long> callsStartedAt = new HashMap<>();
    private final Map<String, Written> unseen = new HashMap<>();
    private final CopyOnWriteArrayList<Runnable> idleListeners = new CopyOnWriteArrayList<>();
    private long nextCall;

    /** What a service's node holds after a write; null after its deletion. */
    private record Written(ServiceRecord record, long atNanos) {
    }

    public CatalogWrites() {
        this(System::nanoTime);
    }

    CatalogWrites(LongSupplier nanos) {
        this.nanos = nanos;
    }

    /** Called with no lock held each time the last call in flight ends. */
    public CatalogWrites whenIdle(Runnable listener) {
        idleListeners.add(listener);
        return this;
    }

    /** A call that may write the catalog started; pass what this returns to {@link #end}. */
    public synchronized long begin() {
        long call = ++nextCall;
        callsStartedAt.put(call, nanos.getAsLong());
        return call;
    }

    public void end(long call) {
        boolean idle;
        synchronized (this) {
            idle = callsStartedAt.remove(call) != null && callsStartedAt.isEmpty();
        }
        if (idle) {
            idleListeners.forEach(Runnable::run);
        }
    }

    /** The service's node now holds {@code record} (null: the service was deleted). */
    public synchronized void committed(String serviceId, ServiceRecord record) {
        unseen.put(serviceId, new Written(record, nanos.getAsLong()));
    }

    /**
     * True when no call is in flight and {@code snapshot} (service id -> the record it holds) shows
     * every write made here; forgets the writes it shows.
     */
    public synchronized boolean settledIn(Function<String, ServiceRecord> snapshot) {
        long now = nanos.getAsLong();
        callsStartedAt.values().removeIf(startedAt -> now - startedAt > TimeUnit.SECONDS.toNanos(FORGET_CALL_SECONDS));
        for (Iterator<Map.Entry<String, Written>> it = unseen.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Written> write = it.next();
            if (now - write.getValue().atNanos() > TimeUnit.MILLISECONDS.toNanos(FORGET_WRITE_MILLIS)
                    || Objects.equals(snapshot.apply(write.getKey()), write.getValue().record())) {
                it.remove();
            }
        }
        return callsStartedAt.isEmpty() && unseen.isEmpty();
    }
}
