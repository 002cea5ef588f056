package io.podflow.agent.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordedPaceTest {

  @Test
  void deliversFramesNoSoonerThanTheyWereRecordedApart() {
    List<Long> deliveredAt = new ArrayList<>();
    RecordedPace pace = new RecordedPace((d, o, c, w, l, ts) -> deliveredAt.add(System.nanoTime()));
    byte[] frame = new byte[60];

    pace.frame(frame, 0, 60, 60, 1, 1_000_000_000L);
    pace.frame(frame, 0, 60, 60, 1, 1_200_000_000L);
    pace.frame(frame, 0, 60, 60, 1, 1_100_000_000L); // earlier timestamp: at once

    assertThat(deliveredAt.get(1) - deliveredAt.get(0)).isGreaterThanOrEqualTo(200_000_000L);
    assertThat(deliveredAt).hasSize(3);
  }
}
