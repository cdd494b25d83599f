package io.lbmanager.validate;

import io.lbmanager.render.ConfigBundle;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * {@code nginx -t} for many callers at once, as the validate endpoint has them: at most
 * {@code slots} runs at a time; the other callers wait in a first-come-first-served queue of at
 * most {@code maxWaiting}, each for at most {@code maxWait}, and beyond either bound are refused
 * with {@link ValidationOverloadedException}. Callers asking about identical files share one run,
 * and a verdict about the files is reused for {@code reuseFor} after it (Nginx resolves upstream
 * host names while it checks, so not for long).
 */
public final class NginxTestQueue {

    /** Long enough for callers that arrive together (CI retries, parallel jobs of one commit), short for DNS. */
    public static final Duration REUSE_VERDICTS_FOR = Duration.ofSeconds(2);
    private static final int SWEEP_ABOVE = 64;

    private final NginxValidator validator;
    private final int slots;
    private final int maxWaiting;
    private final Duration maxWait;
    private final long reuseForNanos;
    private final Semaphore running;
    private final Map<String, SharedRun> runsByFiles = new ConcurrentHashMap<>();
    private volatile double recentRunMillis = 100;

    public NginxTestQueue(NginxValidator validator, int slots, int maxWaiting, Duration maxWait, Duration reuseFor) {
        if (slots < 1 || maxWaiting < 0 || maxWait.isNegative() || reuseFor.isNegative()) {
            throw new IllegalArgumentException("slots must be positive and the other bounds not negative: slots=" + slots
                    + " maxWaiting=" + maxWaiting + " maxWait=" + maxWait + " reuseFor=" + reuseFor);
        }
        this.validator = validator;
        this.slots = slots;
        this.maxWaiting = maxWaiting;
        this.maxWait = maxWait;
        this.reuseForNanos = reuseFor.toNanos();
        this.running = new Semaphore(slots, true);
    }

    /** @throws ValidationOverloadedException when no slot is free and the queue is full, or none freed up within the wait */
    public ValidationResult validate(ValidationScope scope) {
        ConfigBundle sandbox = scope.sandbox();
        long now = System.nanoTime();
        SharedRun mine = new SharedRun();
        SharedRun run = runsByFiles.compute(sandbox.sha256(), (files, earlier) -> earlier != null && earlier.usableAt(now) ? earlier : mine);
        if (run != mine) {
            return run.await();
        }
        try {
            ValidationResult result = runWhenASlotIsFree(sandbox);
            mine.finish(result, isAboutTheFiles(result), System.nanoTime() + reuseForNanos);
            return result;
        } catch (RuntimeException e) {
            mine.fail(e);
            throw e;
        } finally {
            if (runsByFiles.size() > SWEEP_ABOVE) {
                long sweepAt = System.nanoTime();
                runsByFiles.values().removeIf(shared -> !shared.usableAt(sweepAt));
            }
        }
    }

    private ValidationResult runWhenASlotIsFree(ConfigBundle sandbox) {
        int queued = running.getQueueLength();
        if (running.availablePermits() == 0 && queued >= maxWaiting) {
            throw new ValidationOverloadedException("validation is overloaded: " + slots + " nginx -t run(s) in progress and "
                    + queued + " request(s) waiting, the most that may wait; retry later", retryAfterSeconds(queued));
        }
        try {
            if (!running.tryAcquire(maxWait.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new ValidationOverloadedException("validation is overloaded: no nginx -t slot (of " + slots + ") came free within "
                        + NginxValidator.describe(maxWait) + "; retry later", retryAfterSeconds(running.getQueueLength()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ValidationOverloadedException("interrupted while waiting for an nginx -t slot", 1);
        }
        long start = System.nanoTime();
        try {
            return validator.validate(sandbox);
        } finally {
            running.release();
            recentRunMillis = 0.8 * recentRunMillis + 0.2 * (System.nanoTime() - start) / 1e6;
        }
    }

    /** Roughly when the callers now waiting will have had their turn. */
    private int retryAfterSeconds(int waiting) {
        return (int) Math.max(1, Math.ceil(recentRunMillis * (waiting + 1) / slots / 1000));
    }

    /** A verdict Nginx gave about the files (not a timeout or a failure to start it) holds for identical files. */
    private static boolean isAboutTheFiles(ValidationResult result) {
        return result instanceof ValidationResult.Valid
                || ((ValidationResult.Invalid) result).errors().stream().allMatch(error -> error.file() != null);
    }

    /** One run of nginx -t that callers with identical files wait for, and its verdict while it may be reused. */
    private static final class SharedRun {
        private final CompletableFuture<ValidationResult> verdict = new CompletableFuture<>();
        private volatile boolean reusable;
        private volatile long reusableUntilNanos;

        boolean usableAt(long nanos) {
            return !verdict.isDone() || (reusable && nanos - reusableUntilNanos < 0);
        }

        void finish(ValidationResult result, boolean reuse, long reusableUntil) {
            reusableUntilNanos = reusableUntil;
            reusable = reuse;
            verdict.complete(result);
        }

        void fail(RuntimeException e) {
            verdict.completeExceptionally(e);
        }

        ValidationResult await() {
            try {
                return verdict.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
        }
    }
}
