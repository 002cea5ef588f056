package io.podflow.agent.app;

import io.podflow.agent.capture.CaptureFileReader;
import io.podflow.agent.capture.FrameHandler;
import io.podflow.agent.capture.LibpcapFileReader;
import io.podflow.agent.capture.RecordedPace;
import io.podflow.agent.export.FlowSink;
import io.podflow.agent.export.LossCounters;
import io.podflow.agent.export.RecordExporter;
import io.podflow.agent.flow.FlowMeter;
import io.podflow.agent.flow.FlowTable;
import io.podflow.agent.flow.FlowTableConfig;
import io.podflow.agent.flow.MeterCounters;
import java.nio.file.Path;

/**
 * Runs a capture file through the agent's packet path (decode, fragments, flow table) and its
 * export stage ({@link RecordExporter}). The flow table's clock is the packets' timestamps, so the
 * result is the same however fast the file is read. At the end of the file every flow still held is
 * exported ({@code flush}).
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

  /** The agent that replays files, as their records say. */
  public static final String AGENT = "podflow-replay";

  public static Summary run(
      Path file, FlowTableConfig config, FrameSourceKind source, FlowSink records) {
    return run(file, config, source, false, records);
  }

  /**
   * Records as they are built, observed on an interface named after the file, in no cluster.
   *
   * @param recordedPace deliver packets at the pace they were recorded instead of at full speed
   */
  public static Summary run(
      Path file,
      FlowTableConfig config,
      FrameSourceKind source,
      boolean recordedPace,
      FlowSink records) {
    return run(
        file,
        config,
        source,
        recordedPace,
        RecordExporter.builder("", "", AGENT).build(records),
        file.getFileName().toString());
  }

  /**
   * @param interfaceName the interface the records say they were observed on
   */
  public static Summary run(
      Path file,
      FlowTableConfig config,
      FrameSourceKind source,
      boolean recordedPace,
      RecordExporter exporter,
      String interfaceName) {
    // A file has no kernel drops; its decoder drops and evictions are in the summary, and the
    // records carry none (as replayed records always have).
    FlowTable table =
        new FlowTable(config, exporter.forInterface(interfaceName, LossCounters.NONE));
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
