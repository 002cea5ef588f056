package io.podflow.agent.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.zip.CRC32C;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The segment reader against valid segments damaged at random (bit flips, overwritten and zeroed
 * runs, truncation, inserted, deleted and repeated bytes, several at once): it never throws but for
 * a header of another version, every record it returns is one that was written, and every record
 * the damage left whole is returned. Which bytes are whole is tracked through the damage: each byte
 * remembers where it came from. Tries: 1,000 by default, more with {@code -Djqwik.tries.default=N}
 * (docs/BENCHMARKS.md, fuzzing).
 */
class SegmentReaderPropertiesTest {

  /** A valid segment and the offset of each record's marker in it. */
  record Segment(byte[] data, int[] frames, List<byte[]> records) {}

  /** The damaged data and, per byte, its offset in the original (-1 for a byte not from there). */
  record Damaged(byte[] data, int[] origin) {}

  @Property
  void damageCostsOnlyTheRecordsItTouches(
      @ForAll("segments") Segment segment,
      @ForAll @IntRange(min = 1, max = 6) int damages,
      @ForAll long seed) {
    Damaged damaged = damage(segment.data(), damages, new Random(seed));
    SegmentContents read;
    try {
      read = SegmentReader.read(damaged.data());
    } catch (SegmentReader.UnknownVersionException e) {
      assertThat(SegmentFormat.hasMagic(damaged.data())).isTrue();
      assertThat(SegmentFormat.version(damaged.data())).isNotEqualTo(SegmentFormat.VERSION);
      return;
    }
    // Every record returned was written.
    Set<ByteBuffer> written = new HashSet<>();
    segment.records().forEach(r -> written.add(ByteBuffer.wrap(r)));
    for (int i = 0; i < read.count(); i++) {
      assertThat(written).contains(ByteBuffer.wrap(read.record(i)));
    }
    // Every record left whole is returned, from where it now lies.
    List<Integer> starts = Arrays.stream(read.starts()).boxed().toList();
    int[] frameAt = new int[segment.data().length];
    Arrays.fill(frameAt, -1);
    for (int k = 0; k < segment.frames().length; k++) {
      frameAt[segment.frames()[k]] = k;
    }
    int[] origin = damaged.origin();
    for (int i = 0; i < origin.length; i++) {
      int k = origin[i] < 0 ? -1 : frameAt[origin[i]];
      if (k >= 0 && whole(origin, i, SegmentFormat.OVERHEAD + segment.records().get(k).length)) {
        assertThat(starts).as("whole record %d at %d", k, i).contains(i + SegmentFormat.OVERHEAD);
      }
    }
    assertThat(read.damagedBytes()).isBetween(0L, (long) damaged.data().length);
  }

  @Property(tries = 200)
  void aValidSegmentReadsBackWhole(@ForAll("segments") Segment segment) throws Exception {
    SegmentContents read = SegmentReader.read(segment.data());
    assertThat(read.count()).isEqualTo(segment.records().size());
    for (int i = 0; i < read.count(); i++) {
      assertThat(read.record(i)).isEqualTo(segment.records().get(i));
    }
    assertThat(read.damagedRecords()).isZero();
  }

  @Property(tries = 300)
  void anOlderAgentsSegmentDamagedAnywhereNeverThrows(
      @ForAll("segments") Segment segment, @ForAll long seed) {
    byte[] legacy = damage(segment.data(), 3, new Random(seed)).data();
    SegmentContents read = SegmentReader.readLegacy(legacy);
    assertThat(read.count()).isLessThanOrEqualTo(legacy.length / 5);
  }

  @Property(tries = 20)
  void aHeaderOfAnotherVersionIsRefusedAsSuch(@ForAll("segments") Segment segment) {
    byte[] data = segment.data().clone();
    data[4] = 9;
    assertThatThrownBy(() -> SegmentReader.read(data))
        .isInstanceOf(SegmentReader.UnknownVersionException.class);
  }

  @Provide
  Arbitrary<Segment> segments() {
    Arbitrary<byte[]> payload =
        Combinators.combine(
                Arbitraries.integers().between(0, 1 << 20),
                Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(300))
            .as((id, rest) -> ByteBuffer.allocate(4 + rest.length).putInt(id).put(rest).array());
    return payload.list().ofMaxSize(120).map(SegmentReaderPropertiesTest::segment);
  }

  static Segment segment(List<byte[]> records) {
    int size = SegmentFormat.HEADER;
    for (byte[] r : records) {
      size += SegmentFormat.OVERHEAD + r.length;
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    SegmentFormat.writeHeader(out);
    int[] frames = new int[records.size()];
    CRC32C crc = new CRC32C();
    for (int i = 0; i < records.size(); i++) {
      frames[i] = out.position();
      SegmentFormat.writeRecord(out, records.get(i), crc);
    }
    return new Segment(out.array(), frames, records);
  }

  /** Whether the bytes from {@code at} on are {@code length} original bytes in one piece. */
  private static boolean whole(int[] origin, int at, int length) {
    if (at + length > origin.length) {
      return false;
    }
    for (int j = 1; j < length; j++) {
      if (origin[at + j] != origin[at] + j) {
        return false;
      }
    }
    return true;
  }

  static Damaged damage(byte[] original, int damages, Random random) {
    byte[] data = original.clone();
    int[] origin = new int[data.length];
    Arrays.setAll(origin, i -> i);
    for (int d = 0; d < damages; d++) {
      int n = data.length;
      int at = n == 0 ? 0 : random.nextInt(n);
      int run = 1 + random.nextInt(Math.max(1, Math.min(200, n - at)));
      switch (random.nextInt(7)) {
        case 0 -> { // a flipped bit
          if (n > 0) {
            data[at] ^= (byte) (1 << random.nextInt(8));
            origin[at] = -1;
          }
        }
        case 1, 2 -> { // a run overwritten: zeros (what a crash leaves) or noise
          boolean zeros = random.nextBoolean();
          for (int i = at; i < Math.min(n, at + run); i++) {
            byte b = zeros ? 0 : (byte) random.nextInt(256);
            if (b != data[i]) {
              data[i] = b;
              origin[i] = -1;
            }
          }
        }
        case 3 -> { // cut short
          data = Arrays.copyOf(data, at);
          origin = Arrays.copyOf(origin, at);
        }
        case 4 -> { // bytes inserted
          byte[] noise = new byte[run];
          random.nextBytes(noise);
          int[] none = new int[run];
          Arrays.fill(none, -1);
          data = splice(data, at, 0, noise);
          origin = splice(origin, at, 0, none);
        }
        case 5 -> { // bytes deleted
          int k = Math.min(run, n - at);
          data = splice(data, at, k, new byte[0]);
          origin = splice(origin, at, k, new int[0]);
        }
        default -> { // a run repeated, as a replayed write would
          int k = Math.min(run, n - at);
          data = splice(data, at, 0, Arrays.copyOfRange(data, at, at + k));
          origin = splice(origin, at, 0, Arrays.copyOfRange(origin, at, at + k));
        }
      }
    }
    return new Damaged(data, origin);
  }

  private static byte[] splice(byte[] a, int at, int remove, byte[] insert) {
    byte[] out = new byte[a.length - remove + insert.length];
    System.arraycopy(a, 0, out, 0, at);
    System.arraycopy(insert, 0, out, at, insert.length);
    System.arraycopy(a, at + remove, out, at + insert.length, a.length - at - remove);
    return out;
  }

  private static int[] splice(int[] a, int at, int remove, int[] insert) {
    int[] out = new int[a.length - remove + insert.length];
    System.arraycopy(a, 0, out, 0, at);
    System.arraycopy(insert, 0, out, at, insert.length);
    System.arraycopy(a, at + remove, out, at + insert.length, a.length - at - remove);
    return out;
  }
}
