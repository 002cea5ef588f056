package io.podflow.agent.capture.libpcap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PollTest {
  /** More descriptors than RLIMIT_NOFILE: poll(2) fails with EINVAL, a real error, every time. */
  @Test
  void aWaitThatFailsIsCountedAndReturnsNothingEveryTime() throws IOException {
    int limit = openFileLimit();
    Poll poll = new Poll();
    for (int i = 0; i <= limit; i++) {
      poll.set(i, -1);
    }
    assertThat(poll.await(limit + 1, 0)).isZero();
    assertThat(poll.await(limit + 1, 0)).isZero();
    assertThat(poll.failures()).isEqualTo(2);
    assertThat(poll.events(0)).isZero();
  }

  @Test
  void aWaitThatTimesOutIsNoFailure() {
    Poll poll = new Poll();
    poll.set(0, -1); // a negative descriptor is ignored by poll(2): nothing ever comes
    assertThat(poll.await(1, 1)).isZero();
    assertThat(poll.failures()).isZero();
  }

  /** The soft limit, as this process sees it. */
  private static int openFileLimit() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
      if (line.startsWith("Max open files")) {
        return Integer.parseInt(line.substring(26).trim().split("\\s+")[0]);
      }
    }
    throw new IllegalStateException("no open-file limit in /proc/self/limits");
  }
}
