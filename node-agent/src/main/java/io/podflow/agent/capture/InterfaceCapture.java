package io.podflow.agent.capture;

import io.podflow.agent.capture.libpcap.LibpcapException;
import io.podflow.agent.capture.libpcap.PacketReader;
import java.util.concurrent.atomic.AtomicReference;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface.PromiscuousMode;
import org.pcap4j.core.PcapStat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Captures on one interface in a thread of its own until stopped or until the interface goes away
 * (a pod was deleted): then it closes its handle and ends, and the agent carries on.
 */
final class InterfaceCapture implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(InterfaceCapture.class);

  private final String name;
  private final CaptureConfig config;
  private final CaptureSink sink;
  private final CaptureFailures failures;
  private final AtomicReference<CaptureStats> stats;
  private volatile boolean running = true;

  /** The handle is open: packets on the interface from now on are seen. */
  private volatile boolean capturing;

  InterfaceCapture(String name, CaptureConfig config, CaptureSink sink, CaptureFailures failures) {
    this.name = name;
    this.config = config;
    this.sink = sink;
    this.failures = failures;
    this.stats = new AtomicReference<>(new CaptureStats(name, 0, 0, 0));
  }

  String name() {
    return name;
  }

  CaptureStats stats() {
    return stats.get();
  }

  void stop() {
    running = false;
  }

  @Override
  public void run() {
    try (PcapHandle handle = open()) {
      capturing = true;
      failures.opened(name);
      PacketReader reader =
          new PacketReader(
              handle,
              (int) config.readTimeout().toMillis(),
              config.immediateMode() ? config.batchDelay().toNanos() : 0);
      long statsEvery = config.statsInterval().toNanos();
      long nextStats = System.nanoTime() + statsEvery;
      while (running) {
        int result = reader.next(sink);
        if (result == PacketReader.TIMEOUT) {
          sink.idle(System.currentTimeMillis() * 1_000_000L);
        }
        if (System.nanoTime() >= nextStats) {
          readStats(handle);
          nextStats = System.nanoTime() + statsEvery;
        }
      }
      readStats(handle);
    } catch (LibpcapException e) {
      LOG.atInfo().addKeyValue("interface", name).log("capture ended: {}", e.getMessage());
    } catch (PcapNativeException | NotOpenException e) {
      if (failures.exists(name)) {
        LOG.atWarn().addKeyValue("interface", name).log("cannot capture: {}", e.getMessage());
        failures.failed(name, e);
      } else {
        LOG.atInfo()
            .addKeyValue("interface", name)
            .log("capture ended: the interface went ({})", e.getMessage());
      }
    } catch (RuntimeException | Error e) {
      // A bug or the heap running out: said and counted, never a thread that just vanishes.
      LOG.atError().addKeyValue("interface", name).setCause(e).log("capture failed: {}", e);
      failures.failed(name, e);
    } finally {
      running = false;
      capturing = false;
      closeSink();
    }
  }

  private void closeSink() {
    try {
      sink.closed();
    } catch (RuntimeException | Error e) {
      LOG.atError().addKeyValue("interface", name).setCause(e).log("flush failed: {}", e);
      failures.failed(name, e);
    }
  }

  boolean isRunning() {
    return running;
  }

  boolean isCapturing() {
    return capturing;
  }

  private PcapHandle open() throws PcapNativeException, NotOpenException {
    PcapHandle handle =
        new PcapHandle.Builder(name)
            .snaplen(config.snaplen())
            .promiscuousMode(PromiscuousMode.NONPROMISCUOUS)
            .timeoutMillis((int) config.readTimeout().toMillis())
            .bufferSize(config.bufferBytes())
            .immediateMode(config.immediateMode())
            .timestampPrecision(PcapHandle.TimestampPrecision.NANO)
            .build();
    if (!config.bpfFilter().isEmpty()) {
      handle.setFilter(config.bpfFilter(), BpfProgram.BpfCompileMode.OPTIMIZE);
    }
    return handle;
  }

  private void readStats(PcapHandle handle) {
    try {
      PcapStat s = handle.getStats();
      stats.set(
          new CaptureStats(
              name,
              s.getNumPacketsReceived(),
              s.getNumPacketsDropped(),
              s.getNumPacketsDroppedByIf()));
    } catch (PcapNativeException | NotOpenException e) {
      // statistics are best effort: the next read tries again
    }
  }
}
