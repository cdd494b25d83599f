package io.lbmanager.agent;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UsageCountersTest {

    @Test
    void readsTheEpochAndEveryServiceLineAndSkipsOthers() {
        UsageCounters counters = UsageCounters.parse("epoch 1764900000000-42\nshop 10 1000 2000 35 1 2 1 0\nnot a line\ncart 1 2 x 4 5 6 7 8\n");
        assertThat(counters.epoch()).isEqualTo("1764900000000-42");
        assertThat(counters.services()).containsOnlyKeys("shop");
        assertThat(counters.services().get("shop").bytesOut()).isEqualTo(2000);
        assertThat(counters.services().get("shop").noUpstream()).isEqualTo(1);
    }

    @Test
    void anAnswerWithoutEpochIsRefused() {
        assertThatThrownBy(() -> UsageCounters.parse("epoch none\n")).hasMessageContaining("lbm_usage");
    }
}
