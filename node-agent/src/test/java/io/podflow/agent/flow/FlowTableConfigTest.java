package io.podflow.agent.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FlowTableConfigTest {
  @Test
  void maxFlowsIsRefusedBeyondWhatOneTablesArraysCanHold() {
    // 2^26 flows would need 2^27 slots, whose records (2^31 longs) no Java array can hold.
    assertThatThrownBy(() -> FlowTableConfig.defaults().withMaxFlows(1 << 26))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxFlows must be between 1 and 33554432");
    assertThatThrownBy(() -> FlowTableConfig.defaults().withMaxFlows(FlowStore.MAX_CAPACITY + 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(FlowTableConfig.defaults().withMaxFlows(FlowStore.MAX_CAPACITY).maxFlows())
        .isEqualTo(1 << 25);
  }

  @Test
  void theLargestTableTheConfigAllowsHasArraysJavaCanAllocate() {
    int slots = FlowStore.slotsFor(FlowStore.MAX_CAPACITY);
    assertThat(slots).isEqualTo(2 * FlowStore.MAX_CAPACITY);
    assertThat((long) FlowStore.base(slots)).isLessThan(Integer.MAX_VALUE - 8);
  }
}
