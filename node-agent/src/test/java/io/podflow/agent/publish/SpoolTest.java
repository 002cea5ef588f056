package io.podflow.agent.publish;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SpoolTest {
  private static final long MAX = 64 << 10;
  private static final long SEGMENT = 8 << 10;

  /** "record-00042": 12 bytes, 24 framed; a segment of 8 KiB holds 341 after its header. */
  private static final int FRAMED = 24;

  private static final int PER_SEGMENT = (int) ((SEGMENT - SegmentFormat.HEADER) / FRAMED);

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(SpoolFsync.class)
  void recordsComeBackOldestFirstAndLeaveWhenCommitted(SpoolFsync fsync) throws Exception {
    try (Spool spool = new Spool(dir, MAX, SEGMENT, fsync)) {
      for (int i = 0; i < 500; i++) {
        spool.append(record(i));
        spool.syncIfDue();
      }
      assertThat(spool.oldestAgeMillis(System.currentTimeMillis() + 5_000)).isGreaterThan(4_000);
      assertThat(readAll(spool)).isEqualTo(names(0, 500));
      assertThat(spool.isEmpty()).isTrue();
      assertThat(spool.oldestAgeMillis(System.currentTimeMillis())).isZero();
      assertThat(spool.bytes()).isZero();
      assertThat(spool.dropped()).isZero();
    }
    assertThat(segments()).as("sent segments are deleted").isEmpty();
  }

  @Test
  void aFullSpoolDropsItsOldestRecordsAndCountsThem() throws Exception {
    try (Spool spool = spool()) {
      int n = 10_000; // 24 bytes each: more than three times the spool
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
  void aFullSpoolWhileOneSegmentIsBeingSentDropsTheOldestBehindIt() throws Exception {
    try (Spool spool = spool()) {
      for (int i = 0; i < 1_000; i++) {
        spool.append(record(i));
      }
      List<byte[]> inFlight = spool.peek(0, 100); // the head segment is with the sender
      long generation = spool.generation();
      for (int i = 1_000; i < 5_000; i++) {
        spool.append(record(i));
      }
      assertThat(spool.generation()).as("the head was kept").isEqualTo(generation);
      spool.commit(generation, inFlight.size());
      List<String> rest = readAll(spool);
      assertThat(rest.subList(0, PER_SEGMENT - 100)).isEqualTo(names(100, PER_SEGMENT));
      List<String> behind = rest.subList(PER_SEGMENT - 100, rest.size());
      int first = 5_000 - behind.size();
      assertThat(behind).as("the newest, no gap").isEqualTo(names(first, 5_000));
      assertThat(spool.dropped()).isEqualTo(first - PER_SEGMENT);
    }
  }

  @Test
  void droppingTheHeadDoesNotCountTheRecordsTheSenderHoldsAsDropped() throws Exception {
    try (Spool spool = new Spool(dir, 2 * SEGMENT, SEGMENT, SpoolFsync.NEVER)) {
      for (int i = 0; i < PER_SEGMENT; i++) {
        spool.append(record(i));
      }
      assertThat(spool.peek(0, 100)).hasSize(100); // with the producer: delivered anyway
      long generation = spool.generation();
      int i = PER_SEGMENT;
      while (spool.generation() == generation) {
        spool.append(record(i++));
      }
      assertThat(spool.dropped()).isEqualTo(PER_SEGMENT - 100);
    }
  }

  @Test
  void aRestartSendsOnlyWhatWasNotCommittedAndSkipsATornLastRecord() throws Exception {
    try (Spool spool = spool()) {
      for (int i = 0; i < 1000; i++) {
        spool.append(record(i));
      }
      spool.commit(spool.peek(100).size());
    }
    // A crash in the middle of an append: a marker and a length with part of their record.
    Files.write(
        segments().get(segments().size() - 1),
        ByteBuffer.allocate(13)
            .putInt(SegmentFormat.MARKER)
            .putInt(50)
            .putInt(7)
            .put((byte) 'x')
            .array(),
        StandardOpenOption.APPEND);

    try (Spool spool = spool()) {
      assertThat(spool.records()).isEqualTo(900);
      assertThat(readAll(spool)).isEqualTo(names(100, 1000));
      assertThat(spool.damaged()).isEqualTo(1);
      assertThat(spool.dropped()).isEqualTo(1);
      spool.append(record(1000));
      assertThat(readAll(spool)).containsExactly("record-01000");
    }
  }

  @Test
  void aDamagedCommitPositionResendsTheSegmentAndLosesNothing() throws Exception {
    try (Spool spool = spool()) {
      for (int i = 0; i < 200; i++) {
        spool.append(record(i));
      }
      spool.commit(spool.peek(50).size());
    }
    Path position = dir.resolve(CommitPosition.FILE);
    byte[] bytes = Files.readAllBytes(position);
    bytes[3] ^= 1;
    Files.write(position, bytes);
    try (Spool spool = spool()) {
      assertThat(readAll(spool)).isEqualTo(names(0, 200));
    }
  }

  @Test
  void aZeroFilledRegionMidSegmentCostsTheRecordsItCoversAndIsCounted() throws Exception {
    writeRecords(1_000);
    // Records 10, 11 and 12 of the first segment zeroed, as a crash can leave blocks.
    damage(0, offset(10), FRAMED * 3, (byte) 0);
    try (Spool spool = spool()) {
      List<String> expected = names(0, 10);
      expected.addAll(names(13, 1_000));
      assertThat(readAll(spool)).isEqualTo(expected);
      assertThat(spool.damaged()).isEqualTo(3);
      assertThat(spool.dropped()).isEqualTo(3);
    }
  }

  @Test
  void anEmptyRecordLeftByACrashIsSkippedAndCounted() throws Exception {
    writeRecords(100);
    // One record's bytes zeroed: marker, length and checksum 0, what made the old reader throw.
    damage(0, offset(40), FRAMED, (byte) 0);
    try (Spool spool = spool()) {
      List<String> expected = names(0, 40);
      expected.addAll(names(41, 100));
      assertThat(readAll(spool)).isEqualTo(expected);
      assertThat(spool.damaged()).isEqualTo(1);
    }
  }

  @Test
  void aZeroFilledTailIsSkippedAndCountedAndEveryWholeRecordKept() throws Exception {
    writeRecords(100);
    // The file grew by 10 records' worth of blocks whose data never reached the disk.
    Files.write(segments().get(0), new byte[FRAMED * 10], StandardOpenOption.APPEND);
    try (Spool spool = spool()) {
      assertThat(readAll(spool)).isEqualTo(names(0, 100));
      assertThat(spool.damaged()).isEqualTo(10);
    }
  }

  @Test
  void aBadLengthMidSegmentCostsOneRecordNotTheRestOfTheSegment() throws Exception {
    writeRecords(1_000);
    Path first = segments().get(0);
    byte[] data = Files.readAllBytes(first);
    ByteBuffer.wrap(data).putInt(offset(200) + 4, 0x7fffffff);
    Files.write(first, data);
    try (Spool spool = spool()) {
      assertThat(Files.size(first)).as("nothing truncated").isEqualTo(data.length);
      List<String> expected = names(0, 200);
      expected.addAll(names(201, 1_000));
      assertThat(readAll(spool)).isEqualTo(expected);
      assertThat(spool.damaged()).isEqualTo(1);
    }
  }

  @Test
  void aBadChecksumCostsOneRecord() throws Exception {
    writeRecords(300);
    damage(0, offset(7) + SegmentFormat.OVERHEAD + 3, 1, (byte) '9');
    try (Spool spool = spool()) {
      List<String> expected = names(0, 7);
      expected.addAll(names(8, 300));
      assertThat(readAll(spool)).isEqualTo(expected);
      assertThat(spool.damaged()).isEqualTo(1);
    }
  }

  @Test
  void aTruncatedLastRecordIsSkippedAndCounted() throws Exception {
    writeRecords(300);
    Path first = segments().get(0);
    byte[] data = Files.readAllBytes(first);
    Files.write(first, Arrays.copyOf(data, data.length - 5));
    try (Spool spool = spool()) {
      assertThat(readAll(spool)).isEqualTo(names(0, 299));
      assertThat(spool.damaged()).isEqualTo(1);
    }
  }

  @Test
  void aDamagedSegmentIsSentAroundItsDamageAndThenDeleted() throws Exception {
    writeRecords(1_000);
    damage(0, offset(5), 100, (byte) 0x5a);
    try (Spool spool = spool()) {
      Path damaged = segments().get(0);
      List<String> all = readAll(spool);
      assertThat(all).endsWith(names(PER_SEGMENT, 1_000).toArray(String[]::new));
      assertThat(all.size() + spool.damaged()).isEqualTo(1_000);
      assertThat(damaged).doesNotExist();
      assertThat(spool.bytes()).isZero();
    }
  }

  @Test
  void filesThatAreNoSegmentAreLeftAloneAndDoNotStopTheSpool() throws Exception {
    writeRecords(10);
    Files.writeString(dir.resolve("backup.spool"), "not ours");
    Files.writeString(dir.resolve("notes.txt"), "not ours");
    Files.createDirectory(dir.resolve("0000000000000099.seg"));
    Files.writeString(dir.resolve("99999999999999999999.seg"), "a number too long for a long");
    try (Spool spool = spool()) {
      spool.append(record(10));
      assertThat(readAll(spool)).isEqualTo(names(0, 11));
    }
    assertThat(dir.resolve("backup.spool")).hasContent("not ours");
    assertThat(dir.resolve("notes.txt")).exists();
    assertThat(dir.resolve("99999999999999999999.seg")).exists();
  }

  @Test
  void aSegmentOfANewerFormatIsLeftAloneAndNewSegmentsFollowIt() throws Exception {
    byte[] newer = new byte[64];
    ByteBuffer.wrap(newer).putInt(0x50465347).put((byte) 3);
    Path future = dir.resolve("0000000000000007.seg");
    Files.write(future, newer);
    try (Spool spool = spool()) {
      assertThat(spool.isEmpty()).isTrue();
      spool.append(record(1));
      assertThat(readAll(spool)).containsExactly("record-00001");
      assertThat(spool.damaged()).isZero();
    }
    assertThat(future).exists();
  }

  @Test
  void aSegmentOfAnOlderAgentIsReadUpToItsFirstBadLength() throws Exception {
    // The format before checksums: length-prefixed records; then a zero-filled tail.
    ByteBuffer legacy = ByteBuffer.allocate(16 * 20 + 64);
    for (int i = 0; i < 20; i++) {
      legacy.putInt(12).put(record(i));
    }
    Files.write(dir.resolve("0000000000000003.spool"), legacy.array());
    try (Spool spool = spool()) {
      spool.append(record(20));
      assertThat(readAll(spool)).isEqualTo(names(0, 21));
      assertThat(spool.damaged()).isEqualTo(1);
    }
    assertThat(segments()).isEmpty();
  }

  @Test
  void aSpoolWhoseFilesWereAllZeroedStartsEmptyAndCountsTheLoss() throws Exception {
    writeRecords(1_000);
    for (Path p : segments()) {
      Files.write(p, new byte[(int) Files.size(p)]);
    }
    try (Spool spool = spool()) {
      assertThat(spool.isEmpty()).isTrue();
      assertThat(spool.damaged()).as("no record to measure by: one per segment").isPositive();
      assertThat(segments()).isEmpty();
    }
  }

  @Test
  void theSpoolDirectoryAndEveryFileInItAreTheAgentsAlone() throws Exception {
    Path spoolDir = dir.resolve("spool");
    try (Spool spool = new Spool(spoolDir, MAX, SEGMENT, SpoolFsync.NEVER)) {
      for (int i = 0; i < 1000; i++) {
        spool.append(record(i));
      }
      spool.commit(spool.peek(100).size());
    }
    assertThat(Files.getPosixFilePermissions(spoolDir)).isEqualTo(mode("rwx------"));
    List<Path> files;
    try (Stream<Path> list = Files.list(spoolDir)) {
      files = list.toList();
    }
    assertThat(files)
        .as("several segments and the commit position")
        .hasSizeGreaterThan(2)
        .contains(spoolDir.resolve(CommitPosition.FILE));
    for (Path f : files) {
      assertThat(Files.getPosixFilePermissions(f)).as(f.toString()).isEqualTo(mode("rw-------"));
    }
  }

  @Test
  void aSpoolDirectoryOthersCouldReadIsMadeTheAgentsAloneWhenTheSpoolOpens() throws Exception {
    Path spoolDir = Files.createDirectory(dir.resolve("spool"));
    // As the kubelet creates a hostPath directory.
    Files.setPosixFilePermissions(spoolDir, mode("rwxr-xr-x"));
    try (Spool spool = new Spool(spoolDir, MAX, SEGMENT, SpoolFsync.NEVER)) {
      assertThat(Files.getPosixFilePermissions(spoolDir)).isEqualTo(mode("rwx------"));
    }
  }

  private static Set<PosixFilePermission> mode(String mode) {
    return PosixFilePermissions.fromString(mode);
  }

  @Test
  void aCommitPositionOfASentSegmentNeverSkipsRecordsOfANewSegmentAfterARestart() throws Exception {
    try (Spool spool = spool()) {
      for (int i = 0; i < 10; i++) {
        spool.append(record(i));
      }
      spool.commit(spool.peek(5).size()); // the position names segment 0, 5 sent
      assertThat(readAll(spool)).isEqualTo(names(5, 10));
    }
    assertThat(segments()).as("everything was sent").isEmpty();
    try (Spool spool = spool()) { // Kafka away again: a new segment
      for (int i = 100; i < 110; i++) {
        spool.append(record(i));
      }
    }
    try (Spool spool = spool()) {
      assertThat(spool.records()).isEqualTo(10);
      assertThat(readAll(spool)).isEqualTo(names(100, 110));
      assertThat(spool.dropped()).isZero();
    }
  }

  @Test
  void aNewSegmentIsNumberedAfterTheOneTheCommitPositionNames() throws Exception {
    try (Spool spool = spool()) {
      for (int i = 0; i < 10; i++) {
        spool.append(record(i));
      }
      spool.commit(spool.peek(5).size());
    }
    Path position = dir.resolve(CommitPosition.FILE);
    byte[] saved = Files.readAllBytes(position);
    try (Spool spool = spool()) {
      assertThat(readAll(spool)).isEqualTo(names(5, 10));
    }
    Files.write(position, saved); // as if the clearing write was lost in a crash
    try (Spool spool = spool()) {
      for (int i = 100; i < 110; i++) {
        spool.append(record(i));
      }
    }
    assertThat(segments())
        .extracting(p -> p.getFileName().toString())
        .containsExactly("0000000000000001.seg");
    try (Spool spool = spool()) {
      assertThat(readAll(spool)).isEqualTo(names(100, 110));
      assertThat(spool.dropped()).isZero();
    }
  }

  @Test
  void aSegmentThatCannotBeOpenedCostsCountedRecordsAndAppendsRecoverWhenItCan() throws Exception {
    try (Spool spool = spool()) {
      Path obstacle = Files.createDirectory(dir.resolve("0000000000000000.seg"));
      spool.append(record(0));
      spool.append(record(1));
      assertThat(spool.dropped()).as("both refused, counted, no exception").isEqualTo(2);
      assertThat(spool.records()).isZero();
      Files.delete(obstacle);
      spool.append(record(2));
      spool.append(record(3));
      assertThat(readAll(spool)).isEqualTo(names(2, 4));
      assertThat(spool.dropped()).isEqualTo(2);
      assertThat(spool.bytes()).isZero();
    }
  }

  /** Without fsync: these tests are about what is read back, and fsync is slow on a busy disk. */
  private Spool spool() {
    return new Spool(dir, MAX, SEGMENT, SpoolFsync.NEVER);
  }

  private void writeRecords(int n) throws IOException {
    try (Spool spool = spool()) {
      for (int i = 0; i < n; i++) {
        spool.append(record(i));
      }
    }
  }

  /** Where record {@code i} of a segment starts: after the header, 24 bytes a record. */
  private static int offset(int i) {
    return SegmentFormat.HEADER + FRAMED * i;
  }

  private void damage(int segment, int at, int length, byte value) throws IOException {
    Path p = segments().get(segment);
    byte[] data = Files.readAllBytes(p);
    Arrays.fill(data, at, at + length, value);
    Files.write(p, data);
  }

  private List<Path> segments() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(f -> f.getFileName().toString().matches("\\d{16}\\.(seg|spool)"))
          .filter(Files::isRegularFile)
          .sorted()
          .toList();
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
    return String.format("record-%05d", i).getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> names(int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(String.format("record-%05d", i));
    }
    return out;
  }
}
