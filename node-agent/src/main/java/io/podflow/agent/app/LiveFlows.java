package io.podflow.agent.app;

import io.podflow.agent.capture.CaptureConfig;
import io.podflow.agent.capture.CaptureSink;
import io.podflow.agent.capture.CaptureStats;
import io.podflow.agent.capture.LiveCapture;
import io.podflow.agent.decode.MalformedReason;
import io.podflow.agent.export.FlowSink;
import io.podflow.agent.export.LossCounters;
import io.podflow.agent.export.RecordExporter;
import io.podflow.agent.flow.FlowBudget;
import io.podflow.agent.flow.FlowMeter;
import io.podflow.agent.flow.FlowTable;
import io.podflow.agent.flow.FlowTableConfig;
import io.podflow.agent.flow.MeterCounters;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Live capture wired to flow tables: one meter and table per captured interface, all tables within
 * one budget of {@code maxFlows} flows for the agent, flows handed to the export stage (each
 * interface exports from its own thread). When an interface's capture ends (its pod was deleted),
 * its table is flushed, its room goes back to the budget and its meter is dropped; its counts stay
 * in the totals.
 */
public final class LiveFlows implements AutoCloseable {
  /** First fragments remembered per interface (about 70 KiB), against 16,384 for a file. */
  static final int FRAGMENT_SLOTS = 1 << 10;

  private final LiveCapture capture;
  private final FlowBudget budget;
  private final FlowTableConfig tableConfig;
  private final RecordExporter exporter;

  /** Meters of interfaces captured now (and, once closing, of those that ended with it). */
  private final Map<String, FlowMeter> meters = new ConcurrentHashMap<>();

  /** Counts of interfaces whose capture ended, guarded by this. */
  private final Retired retired = new Retired();

  private volatile boolean closing;

  public LiveFlows(
      CaptureConfig captureConfig, FlowTableConfig tableConfig, RecordExporter exporter) {
    this.budget = new FlowBudget(tableConfig.maxFlows());
    this.tableConfig = tableConfig;
    this.exporter = exporter;
    this.capture = new LiveCapture(captureConfig, this::sinkFor);
  }

  /** Records as they are built, neither enriched nor reported for an end, straight to a sink. */
  public LiveFlows(
      CaptureConfig captureConfig,
      FlowTableConfig tableConfig,
      String cluster,
      String node,
      String agent,
      FlowSink records) {
    this(captureConfig, tableConfig, RecordExporter.builder(cluster, node, agent).build(records));
  }

  /** The sink of a newly captured interface: its own meter and table, within the budget. */
  CaptureSink sinkFor(String name) {
    InterfaceLosses losses = new InterfaceLosses(capture, name);
    FlowTable table = new FlowTable(tableConfig, budget, exporter.forInterface(name, losses));
    FlowMeter meter = new FlowMeter(table, FRAGMENT_SLOTS);
    losses.meter = meter;
    meters.put(name, meter);
    return new MeteredSink(meter, () -> ended(name, meter));
  }

  /** An interface's capture ended and its flows were exported: free its table. */
  private void ended(String name, FlowMeter meter) {
    try {
      meter.table().close(); // gives the room back even if its flush fails
    } finally {
      // Retired even then: the meter's counts stay in the totals, which never go back.
      retire(name, meter);
    }
  }

  private void retire(String name, FlowMeter meter) {
    if (closing) {
      return; // kept for the final counts (the capture command's summary)
    }
    synchronized (retired) {
      if (meters.remove(name, meter)) {
        retired.add(meter);
      }
    }
  }

  public LiveFlows start() {
    capture.start();
    return this;
  }

  public LiveCapture capture() {
    return capture;
  }

  /** The agent's budget of flows, shared by every interface's table. */
  public FlowBudget budget() {
    return budget;
  }

  public List<CaptureStats> stats() {
    return capture.stats();
  }

  /** Packet-path counters of an interface captured now (or when capture was closed), or null. */
  public MeterCounters counters(String interfaceName) {
    FlowMeter meter = meters.get(interfaceName);
    return meter == null ? null : meter.counters();
  }

  /** Totals over every interface captured now or before (read while capture goes on). */
  public Totals totals() {
    long frames;
    long notIp;
    long malformed;
    long active = 0;
    long evicted;
    long exported;
    long probeLimit;
    synchronized (retired) {
      frames = retired.frames;
      notIp = retired.notIp;
      malformed = retired.malformed;
      evicted = retired.evicted;
      exported = retired.exported;
      probeLimit = retired.probeLimit;
      for (FlowMeter meter : meters.values()) {
        MeterCounters c = meter.counters();
        frames += c.frames();
        notIp += c.notIp();
        malformed += c.malformedTotal();
        active += meter.table().activeFlows();
        evicted += meter.table().evictedFlows();
        exported += meter.table().exportedRecords();
        probeLimit += meter.table().probeLimitEvictions();
      }
    }
    long kernelDrops = 0;
    long interfaceDrops = 0;
    for (CaptureStats s : capture.stats()) {
      kernelDrops += s.kernelDrops();
      interfaceDrops += s.interfaceDrops();
    }
    return new Totals(
        frames,
        notIp,
        malformed,
        active,
        evicted,
        probeLimit,
        exported,
        kernelDrops,
        interfaceDrops);
  }

  /**
   * Frames dropped as malformed for this reason, over every interface captured now or before: read
   * at a scrape from the counters the packet path keeps per reason anyway.
   */
  public long malformed(MalformedReason reason) {
    synchronized (retired) {
      long n = retired.malformedByReason[reason.ordinal()];
      for (FlowMeter meter : meters.values()) {
        n += meter.counters().malformed(reason);
      }
      return n;
    }
  }

  /**
   * Counters summed over interfaces; drops as libpcap last reported them.
   *
   * @param probeLimitEvictions of {@code evictedFlows}, those whose probe window was full while the
   *     budget was not
   */
  public record Totals(
      long frames,
      long notIp,
      long malformed,
      long activeFlows,
      long evictedFlows,
      long probeLimitEvictions,
      long exportedRecords,
      long kernelDrops,
      long interfaceDrops) {}

  /** Stops capturing; every flow still held is exported (flush). */
  @Override
  public void close() {
    closing = true;
    capture.close();
  }

  /** An interface's losses as its capture's statistics and its meter count them. */
  private static final class InterfaceLosses implements LossCounters {
    private final LiveCapture capture;
    private final String name;

    /** Set once the meter exists, before any frame reaches its table. */
    FlowMeter meter;

    InterfaceLosses(LiveCapture capture, String name) {
      this.capture = capture;
      this.name = name;
    }

    @Override
    public long kernelDrops() {
      CaptureStats stats = capture.stats(name);
      return stats == null ? -1 : stats.kernelDrops() + stats.interfaceDrops();
    }

    @Override
    public long decoderDrops() {
      return meter == null ? -1 : meter.counters().malformedTotal();
    }

    @Override
    public long flowsEvicted() {
      return meter == null ? -1 : meter.table().evictedFlows();
    }
  }

  /** Sums of the interfaces that ended, so totals never go back when a pod goes. */
  private static final class Retired {
    long frames;
    long notIp;
    long malformed;
    final long[] malformedByReason = new long[MalformedReason.values().length];
    long evicted;
    long probeLimit;
    long exported;

    void add(FlowMeter meter) {
      MeterCounters c = meter.counters();
      frames += c.frames();
      notIp += c.notIp();
      malformed += c.malformedTotal();
      for (MalformedReason reason : MalformedReason.values()) {
        malformedByReason[reason.ordinal()] += c.malformed(reason);
      }
      evicted += meter.table().evictedFlows();
      probeLimit += meter.table().probeLimitEvictions();
      exported += meter.table().exportedRecords();
    }
  }
}
