package io.podflow.agent.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.podflow.agent.testing.CaptureBytes;
import io.podflow.agent.testing.Frames;
import io.podflow.agent.testing.ReferenceCaptures;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * pcap and pcapng files mutated at random (bytes overwritten, length fields set to edge values in
 * either byte order, cuts, deleted and repeated runs): the reader ends with a result or a {@link
 * CaptureFileException}, nothing else; every frame it hands out lies inside its buffer; no try
 * takes longer than {@link #PER_TRY_SECONDS}. The property names no count of its own: the suite's
 * comes from {@code jqwik.tries.default} in junit-platform.properties (a few seconds), and the long
 * run ({@code scripts/fuzz-parsers}, 10 million tries) sets it as a system property.
 */
class CaptureFileFuzzTest {
  /** A parse of a few KiB takes microseconds; seconds is a hang. */
  private static final int PER_TRY_SECONDS = 5;

  private static final int[] EDGE_VALUES = {
    0,
    1,
    4,
    11,
    12,
    16,
    20,
    27,
    28,
    31,
    32,
    0x7fffffff,
    0x80000000,
    0xffffffff,
    0xfffffff0,
    0x7ffffffc,
    1 << 24,
    (1 << 24) + 1,
    65535,
    0x0a0d0d0a,
    0x1a2b3c4d,
    0xa1b2c3d4
  };

  private static List<byte[]> seeds;
  private static ExecutorService runner;

  record Mutation(int kind, int position, int value, int length) {}

  @BeforeContainer
  static void loadSeeds() throws IOException {
    List<byte[]> frames = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      frames.add(Frames.udp("10.0.0.1", 1000 + i, "10.0.0.2", 53, 3 * i));
    }
    List<byte[]> all = new ArrayList<>();
    all.add(CaptureBytes.pcap(frames));
    all.add(CaptureBytes.pcapng(frames));
    for (Path file : ReferenceCaptures.bundled().captures()) {
      if (Files.size(file) <= 16 << 10) {
        all.add(Files.readAllBytes(file));
      }
    }
    assertThat(all).hasSizeGreaterThan(10);
    seeds = all;
    runner = Executors.newSingleThreadExecutor(r -> new Thread(r, "capture-fuzz"));
  }

  @AfterContainer
  static void stopRunner() {
    runner.shutdownNow();
  }

  @Property
  void mutatedCapturesEndInAResultOrACaptureFileException(
      @ForAll("seedIndex") int seed, @ForAll("mutations") List<Mutation> mutations)
      throws Exception {
    byte[] input = mutate(seeds.get(seed), mutations);
    Future<?> read =
        runner.submit(
            () -> {
              try {
                CaptureFileReader.read(
                    new ByteArrayInputStream(input),
                    Path.of("fuzz.pcap"),
                    (data, offset, captured, wire, linkType, ts) -> {
                      if (offset < 0 || captured < 0 || offset + captured > data.length) {
                        throw new AssertionError(
                            "frame outside its buffer: " + offset + "+" + captured);
                      }
                    });
              } catch (CaptureFileException documented) {
                // the one failure a reader may end with
              }
              return null;
            });
    try {
      read.get(PER_TRY_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      read.cancel(true);
      fail("no result after %d s for %s", PER_TRY_SECONDS, HexFormat.of().formatHex(input));
    } catch (ExecutionException e) {
      throw new AssertionError(
          "undocumented " + e.getCause() + " for " + HexFormat.of().formatHex(input), e.getCause());
    }
  }

  @Provide
  Arbitrary<Integer> seedIndex() {
    return Arbitraries.integers().between(0, seeds.size() - 1);
  }

  @Provide
  Arbitrary<List<Mutation>> mutations() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 5),
            Arbitraries.integers().between(0, Integer.MAX_VALUE),
            Arbitraries.integers(),
            Arbitraries.integers().between(1, 64))
        .as(Mutation::new)
        .list()
        .ofMinSize(1)
        .ofMaxSize(8);
  }

  private static byte[] mutate(byte[] seed, List<Mutation> mutations) {
    byte[] b = seed.clone();
    for (Mutation m : mutations) {
      if (b.length == 0) {
        break;
      }
      int at = m.position() % b.length;
      switch (m.kind()) {
        case 0 -> b[at] = (byte) m.value();
        case 1, 2 -> {
          if (at + 4 <= b.length) {
            int edge = EDGE_VALUES[Math.floorMod(m.value(), EDGE_VALUES.length)];
            ByteOrder order = m.kind() == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
            ByteBuffer.wrap(b).order(order).putInt(at & ~3, edge);
          }
        }
        case 3 -> b = Arrays.copyOf(b, at);
        case 4 -> {
          int end = Math.min(b.length, at + m.length());
          byte[] shorter = new byte[b.length - (end - at)];
          System.arraycopy(b, 0, shorter, 0, at);
          System.arraycopy(b, end, shorter, at, b.length - end);
          b = shorter;
        }
        default -> {
          int end = Math.min(b.length, at + m.length());
          byte[] longer = new byte[b.length + (end - at)];
          System.arraycopy(b, 0, longer, 0, end);
          System.arraycopy(b, at, longer, end, b.length - at);
          b = longer;
        }
      }
    }
    return b;
  }
}
