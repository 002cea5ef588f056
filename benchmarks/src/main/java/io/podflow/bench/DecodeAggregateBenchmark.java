package io.podflow.bench;

import io.podflow.agent.decode.DecodedPacket;
import io.podflow.agent.decode.PacketDecoder;
import io.podflow.agent.flow.FlowExporter;
import io.podflow.agent.flow.FlowMeter;
import io.podflow.agent.flow.FlowRecordBuilder;
import io.podflow.agent.flow.FlowTable;
import io.podflow.agent.flow.FlowTableConfig;
import java.nio.file.Path;
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
 * The agent's packet path from memory, one thread: decode every frame of a capture and aggregate it
 * into flows with expiry and export on (records built). The {@code packets} counter is packets per
 * second on one core.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms6g", "-Xmx6g"})
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
public class DecodeAggregateBenchmark {
  @Param("bench-5m.pcap")
  public String pcap;

  private CaptureInMemory capture;

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
  public void load() {
    capture = CaptureInMemory.load(Path.of(pcap));
  }

  @Benchmark
  public long decodeAndAggregate(Packets counter, Blackhole sink) {
    FlowRecordBuilder records = new FlowRecordBuilder("bench", "node", "file", "agent");
    return aggregate(counter, (flow, reason) -> sink.consume(records.build(flow, reason)));
  }

  /** The same without building protobuf records: the table's own cost. */
  @Benchmark
  public long decodeAndAggregateOnly(Packets counter, Blackhole sink) {
    return aggregate(
        counter, (flow, reason) -> sink.consume(flow.packetsAtoB() + flow.bytesBtoA()));
  }

  private long aggregate(Packets counter, FlowExporter exporter) {
    FlowTable table = new FlowTable(FlowTableConfig.defaults(), exporter);
    FlowMeter meter = new FlowMeter(table);
    capture.replay(meter);
    meter.finish();
    counter.packets += capture.frames;
    return table.exportedRecords();
  }

  @Benchmark
  public long decodeOnly(Packets counter) {
    PacketDecoder decoder = new PacketDecoder();
    DecodedPacket packet = new DecodedPacket();
    long[] ports = {0};
    capture.replay(
        (data, offset, captured, wire, linkType, ts) -> {
          decoder.decode(data, offset, captured, wire, linkType, ts, packet);
          ports[0] += packet.dstPort;
        });
    counter.packets += capture.frames;
    return ports[0];
  }
}
