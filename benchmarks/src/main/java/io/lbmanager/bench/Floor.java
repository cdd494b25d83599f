package io.lbmanager.bench;

import java.util.ArrayList;
import java.util.List;

/** One Nginx with no manager in the way: what a single change costs at best, the baseline of the propagation rows. */
interface Floor extends AutoCloseable {

    /** One change: milliseconds until the route answers as the change says (adding or removing the backend). */
    long change(boolean addBackend) throws Exception;

    /** Milliseconds to wait between two changes, so one change's aftermath does not bill the next. */
    long pauseMillis();

    default List<Long> changes(int runs) throws Exception {
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            millis.add(change(i % 2 == 0));
            Thread.sleep(pauseMillis());
        }
        return millis;
    }

    @Override
    void close();
}
