package io.podflow.agent.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AddressIndexTest {
  @Test
  void agreesWithAHashMapThroughGrowthRemovalAndReuse() {
    AddressIndex index = new AddressIndex();
    Map<IpKey, IpEntry> reference = new HashMap<>();
    SplittableRandom random = new SplittableRandom(42);
    for (int step = 0; step < 300_000; step++) {
      // Few distinct addresses for many steps: removals leave markers that must be reused.
      IpKey key =
          new IpKey(random.nextInt(3) == 0 ? random.nextLong() >>> 60 : 0, random.nextInt(50_000));
      if (random.nextInt(3) == 0) {
        index.remove(key.hi(), key.lo());
        reference.remove(key);
      } else {
        IpEntry e = IpEntry.empty(key.hi(), key.lo()).withNode("n" + step);
        index.put(e);
        reference.put(key, e);
      }
    }
    reference.forEach((k, v) -> assertThat(index.get(k.hi(), k.lo())).isSameAs(v));
    int[] live = {0};
    index.forEach(e -> live[0]++);
    assertThat(live[0]).isEqualTo(reference.size());
    assertThat(index.get(7, 7)).isNull();
  }
}
