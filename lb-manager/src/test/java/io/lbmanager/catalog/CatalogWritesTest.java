package io.lbmanager.catalog;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class CatalogWritesTest {

    private final AtomicLong clock = new AtomicLong();
    private final CatalogWrites writes = new CatalogWrites(clock::get);

    @Test
    void notSettledWhileACallIsAnsweredAndIdleListenersHearWhenTheLastOneEnds() {
        AtomicInteger idle = new AtomicInteger();
        writes.whenIdle(idle::incrementAndGet);
        long first = writes.begin();
        long second = writes.begin();

        writes.end(first);
        assertThat(idle).as("one call still in flight").hasValue(0);
        assertThat(writes.settledIn(id -> null)).isFalse();
        writes.end(second);
        writes.end(second);

        assertThat(idle).as("told once, when the last call ended").hasValue(1);
        assertThat(writes.settledIn(id -> null)).isTrue();
    }

    @Test
    void aWriteIsSettledOnceTheSnapshotShowsItAndADeletionOnceTheSnapshotLacksTheService() {
        ServiceRecord shop = record("shop");
        writes.committed("shop", shop);
        writes.committed("gone", null);

        assertThat(writes.settledIn(Map.of("gone", record("gone"))::get)).as("neither shown").isFalse();
        assertThat(writes.settledIn(Map.of("shop", shop, "gone", record("gone"))::get)).as("the deletion not shown").isFalse();
        assertThat(writes.settledIn(Map.of("shop", shop)::get)).isTrue();
        assertThat(writes.settledIn(id -> null)).as("a write shown once is forgotten").isTrue();
    }

    @Test
    void aWriteNoSnapshotShowsAndACallThatNeverEndedAreForgotten() {
        writes.committed("shop", record("shop"));
        writes.begin();
        assertThat(writes.settledIn(id -> null)).isFalse();

        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(CatalogWrites.FORGET_WRITE_MILLIS + 1));
        assertThat(writes.settledIn(id -> null)).as("the call still counts").isFalse();
        clock.addAndGet(TimeUnit.SECONDS.toNanos(CatalogWrites.FORGET_CALL_SECONDS));
        assertThat(writes.settledIn(id -> null)).isTrue();
    }

    private static ServiceRecord record(String id) {
        return new ServiceRecord(new ServiceDefinition(id, List.of("team"), "/" + id, List.of("edge"), Map.of(), id), List.of(), "test", 1L);
    }
}
