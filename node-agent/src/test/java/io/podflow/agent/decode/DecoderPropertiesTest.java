package io.podflow.agent.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.podflow.agent.capture.CaptureFileReader;
import io.podflow.agent.flow.FlowMeter;
import io.podflow.agent.flow.FlowTable;
import io.podflow.agent.flow.FlowTableConfig;
import io.podflow.agent.flow.MeterCounters;
import io.podflow.agent.testing.ReferenceCaptures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random and mutated real frames: the packet path never throws, and every frame is counted exactly
 * once (IP, not IP, or malformed), and every IP packet lands in exactly one flow record.
 */
class DecoderPropertiesTest {
  private static final int[] LINK_TYPES = {
    LinkType.ETHERNET,
    LinkType.RAW,
    LinkType.LINUX_SLL,
    LinkType.LINUX_SLL2,
    LinkType.NULL,
    LinkType.LOOP,
    LinkType.IPV4,
    LinkType.IPV6,
    147 /* unsupported */
  };

  private static List<Frame> realFrames;

  record Frame(byte[] bytes, int linkType) {}

  /** The frames of the repository's reference fixtures: every link type and oddity they hold. */
  @BeforeContainer
  static void loadRealFrames() {
    List<Frame> frames = new ArrayList<>();
    for (Path file : ReferenceCaptures.bundled().captures()) {
      CaptureFileReader.read(
          file,
          (data, offset, captured, wire, linkType, ts) -> {
            byte[] copy = new byte[captured];
            System.arraycopy(data, offset, copy, 0, captured);
            frames.add(new Frame(copy, linkType));
          });
    }
    assertThat(frames).hasSizeGreaterThan(500);
    realFrames = frames;
  }

  @Property(tries = 3000)
  void randomBytesNeverThrowAndAreCountedOnce(@ForAll("randomFrames") List<Frame> frames) {
    assertCountedExactlyOnce(frames);
  }

  @Property(tries = 3000)
  void mutatedRealFramesNeverThrowAndAreCountedOnce(@ForAll("mutatedFrames") List<Frame> frames) {
    assertCountedExactlyOnce(frames);
  }

  private static void assertCountedExactlyOnce(List<Frame> frames) {
    long[] exportedPackets = {0};
    FlowTable table =
        new FlowTable(
            FlowTableConfig.defaults().withMaxFlows(64),
            (flow, reason) -> exportedPackets[0] += flow.packetsAtoB() + flow.packetsBtoA());
    FlowMeter meter = new FlowMeter(table);
    long ts = 1_700_000_000_000_000_000L;
    for (Frame f : frames) {
      ts += 1_000_000;
      meter.frame(f.bytes(), 0, f.bytes().length, f.bytes().length + 4, f.linkType(), ts);
    }
    meter.finish();

    MeterCounters c = meter.counters();
    assertThat(c.frames()).isEqualTo(frames.size());
    assertThat(c.ipPackets() + c.notIp() + c.malformedTotal()).isEqualTo(frames.size());
    assertThat(exportedPackets[0]).isEqualTo(c.ipPackets());
  }

  @Provide
  Arbitrary<List<Frame>> randomFrames() {
    Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(120);
    return Combinators.combine(bytes, Arbitraries.integers().between(0, LINK_TYPES.length - 1))
        .as((b, i) -> new Frame(b, LINK_TYPES[i]))
        .list()
        .ofMaxSize(40);
  }

  @Provide
  Arbitrary<List<Frame>> mutatedFrames() {
    Arbitrary<Frame> mutated =
        Combinators.combine(
                Arbitraries.integers().between(0, realFrames.size() - 1),
                Arbitraries.integers().between(0, 127).list().ofMaxSize(6),
                Arbitraries.bytes().list().ofMaxSize(6),
                Arbitraries.integers().between(0, 200))
            .as(
                (index, positions, values, cut) -> {
                  Frame original = realFrames.get(index);
                  byte[] b = original.bytes().clone();
                  for (int k = 0; k < Math.min(positions.size(), values.size()); k++) {
                    if (positions.get(k) < b.length) {
                      b[positions.get(k)] = values.get(k);
                    }
                  }
                  int length = Math.min(b.length, cut);
                  return new Frame(java.util.Arrays.copyOf(b, length), original.linkType());
                });
    return mutated.list().ofMaxSize(40);
  }
}
