package io.podflow.agent.app;

import io.podflow.agent.capture.CaptureStats;
import io.podflow.agent.flow.FlowMeter;
import io.podflow.schema.flow.v1.AgentLoss;
import io.podflow.schema.flow.v1.FlowRecord;

/**
 * What an interface's capture lost since its previous record (kernel drops, frames the decoder
 * could not read, flows evicted early), carried by its next record: summed over records, every loss
 * is counted once, and a dashboard can tell a quiet interval from a blind one.
 */
final class LossSince {
  private long kernelDrops;
  private long decoderDrops;
  private long evicted;

  void add(FlowRecord.Builder record, CaptureStats stats, FlowMeter meter) {
    long kernel = stats == null ? kernelDrops : stats.kernelDrops() + stats.interfaceDrops();
    long decoder = meter == null ? decoderDrops : meter.counters().malformedTotal();
    long flows = meter == null ? evicted : meter.table().evictedFlows();
    if (kernel != kernelDrops || decoder != decoderDrops || flows != evicted) {
      record.setLoss(
          AgentLoss.newBuilder()
              .setKernelDrops(Math.max(0, kernel - kernelDrops))
              .setDecoderDrops(Math.max(0, decoder - decoderDrops))
              .setFlowsEvicted(Math.max(0, flows - evicted)));
      kernelDrops = Math.max(kernelDrops, kernel);
      decoderDrops = decoder;
      evicted = flows;
    }
  }
}
