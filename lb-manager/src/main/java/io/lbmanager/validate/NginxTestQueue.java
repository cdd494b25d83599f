package io.lbmanager.validate;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code nginx -t} for many callers at once, as the validate endpoint has them. At most
 * {@code slots} runs at a time; callers that find every slot busy wait, first come first served,
 * at most {@code maxWaiting} of them, each for at most {@code maxWait}, and beyond either bound are
 * refused with {@link ValidationOverloadedException}.
 *
 * <p>Callers that wait together are checked together: checks of changed services of one group
 * that agree on the group-wide files and on every file they share join one {@link SandboxBatch},
 * and one {@code nginx -t} of all their files answers them all. If Nginx refuses the batch, each
 * member is checked again on its own, so everyone gets their own verdict with their own errors.
 * Callers asking about identical files share one run, and a verdict about the files is reused for
 * {@code reuseFor} after it (Nginx resolves upstream host names while it checks, so not for long).
 */
public final class NginxTestQueue {

    /** Long enough for callers that arrive together (CI retries, parallel jobs of one commit), short for DNS. */
    public static final Duration REUSE_VERDICTS_FOR = Duration.ofSeconds(2);
    private static final int SWEEP_ABOVE = 64;
    private static final AtomicInteger QUEUES = new AtomicInteger();

    private final NginxValidator validator;
    private final int slots;
    private final int maxWaiting;
    private final Duration maxWait;
    private final long reuseForNanos;
    private final ExecutorService runners;
    private final Map<String, SharedRun> runsByFiles = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private final Deque<SandboxBatch> pending = new ArrayDeque<>();
    private int running;
    private int waiting;
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
        String name = "nginx-test-" + QUEUES.incrementAndGet();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(slots, slots, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        });
        executor.allowCoreThreadTimeOut(true); // idle threads end, so a queue needs no closing
        this.runners = executor;
    }

    /** @throws ValidationOverloadedException when every slot is busy and the queue is full, or no slot came free within the wait */
    public ValidationResult validate(ValidationScope scope) {
        long now = System.nanoTime();
        SharedRun mine = new SharedRun();
        SharedRun run = runsByFiles.compute(scope.sandbox().sha256(), (files, earlier) -> earlier != null && earlier.usableAt(now) ? earlier : mine);
        if (run != mine) {
            return run.await();
        }
        try {
            ValidationResult result = checkedInTurn(scope);
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

    /** Callers waiting for a slot now. */
    int waiting() {
        synchronized (lock) {
            return waiting;
        }
    }

    private ValidationResult checkedInTurn(ValidationScope scope) {
        SandboxBatch.Member member = new SandboxBatch.Member(scope);
        SandboxBatch batch;
        synchronized (lock) {
            if (running < slots) {
                running++;
                batch = SandboxBatch.startedWith(member);
                runners.execute(() -> runFrom(batch));
            } else if (waiting >= maxWaiting) {
                throw new ValidationOverloadedException("validation is overloaded: " + slots + " nginx -t run(s) in progress and "
                        + waiting + " request(s) waiting, the most that may wait; retry later", retryAfterSeconds());
            } else {
                batch = pending.stream().filter(b -> b.accepts(member)).findFirst().orElseGet(() -> {
                    SandboxBatch waitingBatch = new SandboxBatch();
                    pending.addLast(waitingBatch);
                    return waitingBatch;
                });
                batch.add(member);
                waiting++;
            }
        }
        return verdictOf(member, batch);
    }

    private ValidationResult verdictOf(SandboxBatch.Member member, SandboxBatch batch) {
        try {
            try {
                return member.verdict().get(maxWait.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                synchronized (lock) {
                    if (!batch.started()) {
                        batch.remove(member);
                        waiting--;
                        if (batch.isEmpty()) {
                            pending.remove(batch);
                        }
                        throw new ValidationOverloadedException("validation is overloaded: no nginx -t slot (of " + slots
                                + ") came free within " + NginxValidator.describe(maxWait) + "; retry later", retryAfterSeconds());
                    }
                }
                return member.verdict().get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ValidationOverloadedException("interrupted while waiting for nginx -t", 1);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : new IllegalStateException(e.getCause());
        }
    }

    /**
     * Runs {@code first}, then whatever waits, until nothing does: one slot. The callers get their
     * verdicts after the slot is free (or handed to the next batch), so one that asks again at once
     * is not turned away by its own finished run.
     */
    private void runFrom(SandboxBatch first) {
        SandboxBatch batch = first;
        while (batch != null) {
            Runnable handOutVerdicts = checked(batch);
            synchronized (lock) {
                batch = pending.pollFirst();
                if (batch == null) {
                    running--;
                } else {
                    waiting -= batch.size();
                    batch.start();
                }
            }
            handOutVerdicts.run();
        }
    }

    /** Runs nginx -t for the batch; what it returns gives each member its verdict. */
    private Runnable checked(SandboxBatch batch) {
        long start = System.nanoTime();
        try {
            ValidationResult together = validator.validate(batch.sandbox());
            if (together.isValid() || batch.size() == 1) {
                return () -> batch.members().forEach(member -> member.verdict().complete(together));
            }
            Map<SandboxBatch.Member, ValidationResult> alone = new LinkedHashMap<>();
            batch.members().forEach(member -> alone.put(member, validator.validate(member.scope().sandbox())));
            return () -> alone.forEach((member, verdict) -> member.verdict().complete(verdict));
        } catch (RuntimeException e) {
            return () -> batch.members().forEach(member -> member.verdict().completeExceptionally(e));
        } finally {
            recentRunMillis = 0.8 * recentRunMillis + 0.2 * (System.nanoTime() - start) / 1e6;
        }
    }

    /** Roughly when the callers now waiting will have had their turn. */
    private int retryAfterSeconds() {
        return (int) Math.max(1, Math.ceil(recentRunMillis * (pending.size() + 1) / slots / 1000));
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
