package io.podflow.bench;

import io.podflow.agent.decode.LinkType;
import io.podflow.agent.flow.FlowMeter;
import io.podflow.agent.flow.FlowTable;
import io.podflow.agent.flow.FlowTableConfig;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One pod flooding the flow table with UDP flows between the same two addresses that differ only in
 * their ports, as a hostile pod can send: {@code random} ports, or {@code crafted} ports whose
 * flows the agent's fixed hash of before (public constants) put into 64 neighbouring slots of any
 * table. Every flow gets 4 packets, round after round, through the public packet path (decode and
 * table), so the same source measures the agent before and after the keyed hash. The {@code
 * packets} counter is packets per second on one core.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
public class FlowHashFloodBenchmark {
  private static final int FRAME = 42; // Ethernet, IPv4, UDP headers
  private static final int ROUNDS = 4;
  private static final long SRC = 0x0a01_0001L; // 10.1.0.1
  private static final long DST = 0x0a01_0002L; // 10.1.0.2

  @Param({"random", "crafted"})
  public String ports;

  @Param("16384")
  public int flows;

  private byte[] frames;

  /** Packets per second, reported next to the invocation rate. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Packets {
    public long packets;

    @Setup(Level.Iteration)
    public void reset() {
      packets = 0;
    }
  }

  @Setup(Level.Trial)
  public void build() {
    SplittableRandom random = new SplittableRandom(14);
    frames = new byte[flows * FRAME];
    int made = 0;
    while (made < flows) {
      int srcPort = 1024 + random.nextInt(64_512);
      int dstPort = 1024 + random.nextInt(64_512);
      if ("crafted".equals(ports) && (fixedHash(srcPort, dstPort) & ((1 << 19) - 1)) >= 64) {
        continue;
      }
      udp(frames, made * FRAME, srcPort, dstPort);
      made++;
    }
  }

  @Benchmark
  public long flood(Packets counter, Blackhole sink) {
    FlowTable table =
        new FlowTable(
            FlowTableConfig.defaults(),
            (flow, reason) -> sink.consume(flow.packetsAtoB() + flow.bytesAtoB()));
    FlowMeter meter = new FlowMeter(table);
    long ts = 1_700_000_000_000_000_000L;
    for (int round = 0; round < ROUNDS; round++) {
      for (int i = 0; i < flows; i++) {
        meter.frame(frames, i * FRAME, FRAME, FRAME, LinkType.ETHERNET, ts += 1_000);
      }
    }
    meter.finish();
    counter.packets += (long) ROUNDS * flows;
    return table.exportedRecords();
  }

  /**
   * The flow key's hash as the agent computed it until it was keyed (fixed, published constants):
   * what an attacker who reads the source can aim at. Source 10.1.0.1 is endpoint A.
   */
  static int fixedHash(int srcPort, int dstPort) {
    long meta = (4L << 42) | (17L << 34) | ((long) (srcPort + 1) << 17) | (dstPort + 1);
    long h = 0;
    h = (h ^ SRC) * 0xc2b2ae3d27d4eb4fL;
    h = h * 0x9e3779b97f4a7c15L;
    h = (h ^ DST) * 0xc2b2ae3d27d4eb4fL;
    h = (h ^ meta) * 0x9e3779b97f4a7c15L;
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return (int) h;
  }

  private static void udp(byte[] b, int at, int srcPort, int dstPort) {
    b[at + 12] = 0x08; // IPv4
    int ip = at + 14;
    b[ip] = 0x45;
    b[ip + 3] = 28; // total length
    b[ip + 8] = 64;
    b[ip + 9] = 17;
    put32(b, ip + 12, SRC);
    put32(b, ip + 16, DST);
    int udp = ip + 20;
    b[udp] = (byte) (srcPort >>> 8);
    b[udp + 1] = (byte) srcPort;
    b[udp + 2] = (byte) (dstPort >>> 8);
    b[udp + 3] = (byte) dstPort;
    b[udp + 5] = 8;
  }

  private static void put32(byte[] b, int at, long v) {
    for (int i = 0; i < 4; i++) {
      b[at + i] = (byte) (v >>> (24 - 8 * i));
    }
  }
}
