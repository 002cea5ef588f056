package io.podflow.agent.capture;

import io.podflow.agent.capture.libpcap.PacketReader;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface.PromiscuousMode;
import org.pcap4j.core.PcapStat;

/** A live libpcap handle on one interface, read without waiting (its thread polls). */
final class LibpcapSource implements CaptureSource {
  private final PcapHandle handle;
  private final PacketReader reader;

  private LibpcapSource(PcapHandle handle) {
    this.handle = handle;
    this.reader = new PacketReader(handle);
  }

  /** Opens {@code name} as configured: headers only, nanosecond stamps, not promiscuous. */
  static CaptureSource open(String name, CaptureConfig config)
      throws PcapNativeException, NotOpenException {
    PcapHandle handle =
        new PcapHandle.Builder(name)
            .snaplen(config.snaplen())
            .promiscuousMode(PromiscuousMode.NONPROMISCUOUS)
            .timeoutMillis((int) config.readTimeout().toMillis())
            .bufferSize(config.bufferBytes())
            .immediateMode(config.immediateMode())
            .timestampPrecision(PcapHandle.TimestampPrecision.NANO)
            .build();
    try {
      if (!config.bpfFilter().isEmpty()) {
        handle.setFilter(config.bpfFilter(), BpfProgram.BpfCompileMode.OPTIMIZE);
      }
      return new LibpcapSource(handle);
    } catch (PcapNativeException | NotOpenException | RuntimeException | Error e) {
      handle.close();
      throw e;
    }
  }

  @Override
  public int selectableFd() {
    return reader.selectableFd();
  }

  @Override
  public int read(FrameHandler handler, int events) {
    return reader.read(handler, events);
  }

  @Override
  public boolean backlog() {
    return reader.backlog();
  }

  @Override
  public CaptureStats stats(String interfaceName) {
    try {
      PcapStat s = handle.getStats();
      return new CaptureStats(
          interfaceName,
          s.getNumPacketsReceived(),
          s.getNumPacketsDropped(),
          s.getNumPacketsDroppedByIf());
    } catch (PcapNativeException | NotOpenException e) {
      return null; // statistics are best effort: the next read tries again
    }
  }

  @Override
  public void close() {
    handle.close();
  }
}
