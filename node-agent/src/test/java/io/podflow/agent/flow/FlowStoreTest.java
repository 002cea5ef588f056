package io.podflow.agent.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FlowStoreTest {
  private static final long V4_UDP = (4L << 42) | (17L << 34);

  private static long ports(int a, int b) {
    return V4_UDP | ((long) (a + 1) << 17) | (b + 1);
  }

  @Test
  void flowsOnOneHomeSlotFillItsProbeWindowAndNoMore() {
    FlowStore store = new FlowStore(1024);
    int home = 77;
    for (int i = 0; i < FlowStore.PROBE_LIMIT; i++) {
      assertThat(store.insert(home, 0, 1, 0, 2, ports(i, 53), 0)).isNotEqualTo(FlowStore.NONE);
    }

    assertThat(store.insert(home, 0, 1, 0, 2, ports(999, 53), 0)).isEqualTo(FlowStore.NONE);
    assertThat(store.find(home, 0, 1, 0, 2, ports(999, 53), 0)).isEqualTo(FlowStore.NONE);
    assertThat(store.find(home, 0, 1, 0, 2, ports(31, 53), 0))
        .isEqualTo(home + FlowStore.PROBE_LIMIT - 1);
  }

  @Test
  void theWindowsVictimIsItsLeastRecentlySeenFlow() {
    FlowStore store = new FlowStore(1024);
    int home = 5;
    for (int i = 0; i < FlowStore.PROBE_LIMIT; i++) {
      int slot = store.insert(home, 0, 1, 0, 2, ports(i, 53), 0);
      store.rec[FlowStore.base(slot) + FlowStore.LAST_TS] = i == 17 ? 10 : 1_000 + i;
    }

    assertThat(store.windowVictim(home)).isEqualTo(home + 17);
  }

  @Test
  void flowsCraftedAgainstAFixedHashSpreadUnderTheKeyedOne() {
    // Ports whose flows the unkeyed hash (the constants are public) puts in 64 slots of 2^19.
    Set<Integer> slots = new HashSet<>();
    int crafted = 0;
    for (int src = 1024; crafted < 2_000; src++) {
      for (int dst = 1024; dst < 1024 + 4096 && crafted < 2_000; dst++) {
        long meta = ports(src, dst);
        if ((unkeyed(0x0a000001L, 0x0a000002L, meta) & ((1 << 19) - 1)) < 64) {
          crafted++;
          slots.add(FlowStore.hashOf(0, 0x0a000001L, 0, 0x0a000002L, meta, 0) & 4095);
        }
      }
    }

    // 2,000 random keys over 4,096 slots fill about 1,600 of them.
    assertThat(slots.size()).isGreaterThan(1_400);
  }

  private static int unkeyed(long aLo, long bLo, long meta) {
    long h = aLo * 0xc2b2ae3d27d4eb4fL;
    h = h * 0x9e3779b97f4a7c15L;
    h = (h ^ bLo) * 0xc2b2ae3d27d4eb4fL;
    h = (h ^ meta) * 0x9e3779b97f4a7c15L;
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return (int) h;
  }
}
