package io.podflow.agent.export;

import io.podflow.schema.flow.v1.AgentLoss;
import io.podflow.schema.flow.v1.FlowRecord;

/**
 * Losses whose record was not published (another interface reported its connection), held until the
 * next published record carries them, so that every loss is counted once. Thread-safe: records are
 * exported from every interface's thread.
 */
final class PendingLoss {
  private volatile boolean pending;
  private long kernelDrops;
  private long decoderDrops;
  private long flowsEvicted;
  private long spoolDrops;

  synchronized void add(AgentLoss loss) {
    kernelDrops += loss.getKernelDrops();
    decoderDrops += loss.getDecoderDrops();
    flowsEvicted += loss.getFlowsEvicted();
    spoolDrops += loss.getSpoolDrops();
    pending = true;
  }

  /** Adds what is held to the record's losses, and forgets it. */
  void moveTo(FlowRecord.Builder record) {
    if (!pending) {
      return;
    }
    synchronized (this) {
      AgentLoss.Builder loss = record.getLossBuilder();
      loss.setKernelDrops(loss.getKernelDrops() + kernelDrops)
          .setDecoderDrops(loss.getDecoderDrops() + decoderDrops)
          .setFlowsEvicted(loss.getFlowsEvicted() + flowsEvicted)
          .setSpoolDrops(loss.getSpoolDrops() + spoolDrops);
      kernelDrops = decoderDrops = flowsEvicted = spoolDrops = 0;
      pending = false;
    }
  }
}
