package io.lbmanager.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Runs one step per id from a few threads at once, the way several teams' callers would, and waits for all of them. */
final class AtOnce {

    interface Step {
        void run(String id) throws Exception;
    }

    private AtOnce() {
    }

    /** @throws java.util.concurrent.ExecutionException with the first step that failed */
    static void forEach(List<String> ids, int threads, Step step) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (String id : ids) {
                done.add(pool.submit(() -> {
                    step.run(id);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
