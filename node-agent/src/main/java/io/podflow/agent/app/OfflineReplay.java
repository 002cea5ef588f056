package io.podflow.agent.app;

import io.podflow.agent.capture.CaptureFileReader;
import io.podflow.agent.capture.FrameHandler;
import io.podflow.agent.capture.LibpcapFileReader;
import io.podflow.agent.capture.RecordedPace;
import io.podflow.agent.flow.FlowExporter;
import io.podflow.agent.flow.FlowMeter;
import io.podflow.agent.flow.FlowRecordBuilder;
import io.podflow.agent.flow.FlowTable;
import io.podflow.agent.flow.FlowTableConfig;
import io.podflow.agent.flow.MeterCounters;
import io.podflow.schema.flow.v1.FlowRecord;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Runs a capture file through the agent's packet path (decode, fragments, flow table) and hands
 * every exported flow record to a consumer. The flow table's clock is the packets' timestamps, so
 * the result is the same however fast the file is read. At the end of the file every flow still
 * held is exported ({@code flush}).
 */
public final class OfflineReplay {
  private OfflineReplay() {}

  /**
   * Counters of a finished replay.
   *
   * @param cutAt byte offset of the incomplete last record of a truncated file, -1 if unknown
   */
  public record Summary(
      long frames,
      boolean truncated,
      long cutAt,
      String format,
      MeterCounters counters,
      long records,
      long evicted) {}

  public static Summary run(
      Path file, FlowTableConfig config, FrameSourceKind source, Consumer<FlowRecord> records) {
    return run(file, config, source, false, records);
  }

  /**
   * @param recordedPace deliver packets at the pace they were recorded instead of at full speed
   */
  public static Summary run(
      Path file,
      FlowTableConfig config,
      FrameSourceKind source,
      boolean recordedPace,
      Consumer<FlowRecord> records) {
    FlowRecordBuilder builder =
        new FlowRecordBuilder("", "", file.getFileName().toString(), "podflow-replay");
    FlowExporter exporter = (flow, reason) -> records.accept(builder.build(flow, reason));
    FlowTable table = new FlowTable(config, exporter);
    FlowMeter meter = new FlowMeter(table);
    FrameHandler frames = recordedPace ? new RecordedPace(meter) : meter;
    CaptureFileReader.Result read =
        switch (source) {
          case JAVA -> CaptureFileReader.read(file, frames);
          case LIBPCAP -> LibpcapFileReader.read(file, frames);
        };
    meter.finish();
    return new Summary(
        read.frames(),
        read.truncated(),
        read.cutAt(),
        read.format(),
        meter.counters(),
        table.exportedRecords(),
        table.evictedFlows());
  }

  /** Which reader delivers the frames. */
  public enum FrameSourceKind {
    /** podflow's own pcap/pcapng parser: no native code, every pcapng feature. */
    JAVA,
    /** libpcap through pcap4j, with the per-packet call bound directly (JNA direct mapping). */
    LIBPCAP
  }
}
