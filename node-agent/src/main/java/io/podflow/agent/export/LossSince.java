package io.podflow.agent.export;

import io.podflow.schema.flow.v1.AgentLoss;
import io.podflow.schema.flow.v1.FlowRecord;

/**
 * What an interface's capture lost since its previous record (kernel drops, frames the decoder
 * could not read, flows evicted early), carried by its next record: summed over records, every loss
 * is counted once, and a dashboard can tell a quiet interval from a blind one. Confined to the
 * interface's thread.
 */
final class LossSince {
  private final LossCounters counters;
  private long kernelDrops;
  private long decoderDrops;
  private long evicted;

  LossSince(LossCounters counters) {
    this.counters = counters;
  }

  void addTo(FlowRecord.Builder record) {
    long kernel = known(counters.kernelDrops(), kernelDrops);
    long decoder = known(counters.decoderDrops(), decoderDrops);
    long flows = known(counters.flowsEvicted(), evicted);
    if (kernel != kernelDrops || decoder != decoderDrops || flows != evicted) {
      record.setLoss(
          AgentLoss.newBuilder()
              .setKernelDrops(Math.max(0, kernel - kernelDrops))
              .setDecoderDrops(Math.max(0, decoder - decoderDrops))
              .setFlowsEvicted(Math.max(0, flows - evicted)));
      // A kernel count that goes back is not carried again when it climbs back.
      kernelDrops = Math.max(kernelDrops, kernel);
      decoderDrops = decoder;
      evicted = flows;
    }
  }

  private static long known(long now, long before) {
    return now < 0 ? before : now;
  }
}
