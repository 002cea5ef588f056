package io.podflow.agent.app;

import io.podflow.agent.capture.CaptureConfig;
import io.podflow.agent.capture.CaptureStats;
import io.podflow.agent.capture.LiveCapture;
import io.podflow.agent.flow.FlowMeter;
import io.podflow.agent.flow.FlowRecordBuilder;
import io.podflow.agent.flow.FlowTable;
import io.podflow.agent.flow.FlowTableConfig;
import io.podflow.agent.flow.MeterCounters;
import io.podflow.schema.flow.v1.FlowRecord;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Live capture wired to flow tables: one meter and table per captured interface, records handed to
 * a consumer that must be thread-safe (interfaces export from their own threads).
 */
public final class LiveFlows implements AutoCloseable {
  private final LiveCapture capture;
  private final Map<String, FlowMeter> meters = new ConcurrentHashMap<>();

  public LiveFlows(
      CaptureConfig captureConfig,
      FlowTableConfig tableConfig,
      String cluster,
      String node,
      String agent,
      Consumer<FlowRecord> records) {
    this.capture =
        new LiveCapture(
            captureConfig,
            name -> {
              FlowRecordBuilder builder = new FlowRecordBuilder(cluster, node, name, agent);
              FlowMeter[] meter = new FlowMeter[1];
              LossSince loss = new LossSince();
              FlowTable table =
                  new FlowTable(
                      tableConfig,
                      (flow, reason) -> {
                        FlowRecord.Builder record = builder.builder(flow, reason);
                        loss.add(record, statsOf(name), meter[0]);
                        records.accept(record.build());
                      });
              meter[0] = new FlowMeter(table);
              meters.put(name, meter[0]);
              return new MeteredSink(meter[0]);
            });
  }

  private CaptureStats statsOf(String interfaceName) {
    return capture.stats(interfaceName);
  }

  public LiveFlows start() {
    capture.start();
    return this;
  }

  public LiveCapture capture() {
    return capture;
  }

  public List<CaptureStats> stats() {
    return capture.stats();
  }

  /** Packet-path counters of an interface captured now or before. */
  public MeterCounters counters(String interfaceName) {
    FlowMeter meter = meters.get(interfaceName);
    return meter == null ? null : meter.counters();
  }

  /** Totals over every interface captured now or before (read while capture goes on). */
  public Totals totals() {
    long frames = 0;
    long notIp = 0;
    long malformed = 0;
    long active = 0;
    long evicted = 0;
    long exported = 0;
    for (FlowMeter meter : meters.values()) {
      MeterCounters c = meter.counters();
      frames += c.frames();
      notIp += c.notIp();
      malformed += c.malformedTotal();
      active += meter.table().activeFlows();
      evicted += meter.table().evictedFlows();
      exported += meter.table().exportedRecords();
    }
    long kernelDrops = 0;
    long interfaceDrops = 0;
    for (CaptureStats s : capture.stats()) {
      kernelDrops += s.kernelDrops();
      interfaceDrops += s.interfaceDrops();
    }
    return new Totals(
        frames, notIp, malformed, active, evicted, exported, kernelDrops, interfaceDrops);
  }

  /** Counters summed over interfaces; drops as libpcap last reported them. */
  public record Totals(
      long frames,
      long notIp,
      long malformed,
      long activeFlows,
      long evictedFlows,
      long exportedRecords,
      long kernelDrops,
      long interfaceDrops) {}

  /** Stops capturing; every flow still held is exported (flush). */
  @Override
  public void close() {
    capture.close();
  }
}
