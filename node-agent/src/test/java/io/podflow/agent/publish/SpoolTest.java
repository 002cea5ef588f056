package io.podflow.agent.publish;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {
  private static final long MAX = 64 << 10;
  private static final long SEGMENT = 8 << 10;

  @TempDir Path dir;

  @Test
  void recordsComeBackOldestFirstAndLeaveWhenCommitted() throws Exception {
    try (Spool spool = new Spool(dir, MAX, SEGMENT)) {
      for (int i = 0; i < 500; i++) {
        spool.append(record(i));
      }
      assertThat(spool.oldestAgeMillis(System.currentTimeMillis() + 5_000)).isGreaterThan(4_000);
      assertThat(readAll(spool)).isEqualTo(names(0, 500));
      assertThat(spool.isEmpty()).isTrue();
      assertThat(spool.oldestAgeMillis(System.currentTimeMillis())).isZero();
      assertThat(spool.bytes()).isZero();
      assertThat(spool.dropped()).isZero();
    }
    try (var files = Files.list(dir)) {
      assertThat(files.toList()).as("sent segments are deleted").isEmpty();
    }
  }

  @Test
  void aFullSpoolDropsItsOldestRecordsAndCountsThem() throws Exception {
    try (Spool spool = new Spool(dir, MAX, SEGMENT)) {
      int n = 10_000; // 15 bytes each: more than twice the spool
      for (int i = 0; i < n; i++) {
        spool.append(record(i));
      }
      assertThat(spool.bytes()).isLessThanOrEqualTo(MAX);
      List<String> kept = readAll(spool);
      assertThat(kept.size() + spool.dropped()).isEqualTo(n);
      assertThat(spool.dropped()).isPositive();
      // What is kept is the newest, in order, with no gap.
      int first = n - kept.size();
      assertThat(kept).isEqualTo(names(first, n));
    }
  }

  @Test
  void aRestartReadsWhatWasNotCommittedAndIgnoresATornLastRecord() throws Exception {
    try (Spool spool = new Spool(dir, MAX, SEGMENT)) {
      for (int i = 0; i < 1000; i++) {
        spool.append(record(i));
      }
      List<byte[]> batch = spool.peek(100);
      spool.commit(batch.size());
    }
    // A crash in the middle of an append: a length with only part of its record.
    Path last;
    try (var files = Files.list(dir)) {
      last = files.sorted().reduce((a, b) -> b).orElseThrow();
    }
    Files.write(last, new byte[] {0, 0, 0, 50, 'x'}, StandardOpenOption.APPEND);

    try (Spool spool = new Spool(dir, MAX, SEGMENT)) {
      // The head segment is read again from its start: committed records of a segment that was
      // not finished are sent twice, never lost; the torn record is gone.
      assertThat(readAll(spool)).isEqualTo(names(0, 1000));
      spool.append(record(1000));
      assertThat(readAll(spool)).containsExactly("record-1000");
    }
  }

  private static List<String> readAll(Spool spool) {
    List<String> out = new ArrayList<>();
    while (true) {
      List<byte[]> batch = spool.peek(37);
      if (batch.isEmpty()) {
        return out;
      }
      batch.forEach(b -> out.add(new String(b, StandardCharsets.UTF_8)));
      spool.commit(batch.size());
    }
  }

  private static byte[] record(int i) {
    return ("record-" + i).getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> names(int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add("record-" + i);
    }
    return out;
  }
}
