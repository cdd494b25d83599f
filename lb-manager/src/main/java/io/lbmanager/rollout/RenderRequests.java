package io.lbmanager.rollout;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where every part that needs the groups rendered again asks for it, by name and with a reason:
 * new snapshots, pins, finished rollouts, a new leader. Requests are coalesced
 * ({@link Coalescer}) into few runs of the one render the {@link ConfigPipeline} registers.
 */
public final class RenderRequests implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RenderRequests.class);

    private final long quietMillis;
    private final long maxDelayMillis;
    private volatile Coalescer coalescer;

    public RenderRequests(long quietMillis, long maxDelayMillis) {
        this.quietMillis = quietMillis;
        this.maxDelayMillis = maxDelayMillis;
    }

    /** Starts serving requests with {@code renderAllGroups}; requests made before are dropped (the first snapshot renders anyway). */
    synchronized void serve(Runnable renderAllGroups) {
        if (coalescer != null) {
            throw new IllegalStateException("render requests are served already");
        }
        coalescer = new Coalescer("config-pipeline", renderAllGroups, quietMillis, maxDelayMillis);
    }

    /** A change that may be one of many: rendered once changes have been calm for a while (bounded). */
    public void renderSoon(String reason) {
        LOG.debug("render requested reason={}", reason);
        Coalescer serving = coalescer;
        if (serving != null) {
            serving.signal();
        }
    }

    /** A change a person made: rendered at once when nothing else is going on. */
    public void renderPromptly(String reason) {
        LOG.debug("prompt render requested reason={}", reason);
        Coalescer serving = coalescer;
        if (serving != null) {
            serving.signalPromptly();
        }
    }

    @Override
    public synchronized void close() {
        if (coalescer != null) {
            coalescer.close();
        }
    }
}
