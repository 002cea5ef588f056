package io.podflow.processor.verdict;

import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.Observation;
import io.podflow.schema.flow.v1.Reporter;

/**
 * The two reporters' records of one connection made into one (reporter BOTH), so a dashboard counts
 * the connection once and one row shows egress and ingress together. The source's record gives the
 * observer, times and counters; the destination's record gives the destination's identity (its
 * agent is on the destination's node and knows it best, named ports included) and its own
 * observation, kept beside the source's: sent but not received is evidence of a drop.
 */
public final class ReporterMerge {
  private ReporterMerge() {}

  /**
   * Whether two records are the two reporters' views of the same interval: one SOURCE and one
   * DESTINATION, their intervals starting no further apart than {@code windowNanos}. (The caller
   * has checked they are of the same connection.)
   */
  public static boolean pairs(FlowRecord a, FlowRecord b, long windowNanos) {
    Reporter ra = a.getObserver().getReporter();
    Reporter rb = b.getObserver().getReporter();
    boolean opposite =
        (ra == Reporter.REPORTER_SOURCE && rb == Reporter.REPORTER_DESTINATION)
            || (ra == Reporter.REPORTER_DESTINATION && rb == Reporter.REPORTER_SOURCE);
    return opposite && Math.abs(a.getTimeStartNs() - b.getTimeStartNs()) <= windowNanos;
  }

  /** One record of both (see {@link #pairs}); either argument order. */
  public static FlowRecord merge(FlowRecord a, FlowRecord b) {
    FlowRecord source = a.getObserver().getReporter() == Reporter.REPORTER_SOURCE ? a : b;
    FlowRecord destination = source == a ? b : a;
    FlowRecord.Builder merged = source.toBuilder();
    merged.getObserverBuilder().setReporter(Reporter.REPORTER_BOTH);
    if (destination.getDestination().hasKubernetes()) {
      merged.getDestinationBuilder().setKubernetes(destination.getDestination().getKubernetes());
    }
    if (!destination.getDestination().getPortName().isEmpty()) {
      merged.getDestinationBuilder().setPortName(destination.getDestination().getPortName());
    }
    merged.setDestinationObservation(
        Observation.newBuilder()
            .setObserver(destination.getObserver())
            .setTimeStartNs(destination.getTimeStartNs())
            .setTimeEndNs(destination.getTimeEndNs())
            .setSourceToDestination(destination.getSourceToDestination())
            .setDestinationToSource(destination.getDestinationToSource()));
    if (destination.hasLoss()) {
      // Both agents' losses are the record's: either blinds part of it.
      var loss = merged.getLossBuilder();
      loss.setKernelDrops(loss.getKernelDrops() + destination.getLoss().getKernelDrops())
          .setDecoderDrops(loss.getDecoderDrops() + destination.getLoss().getDecoderDrops())
          .setFlowsEvicted(loss.getFlowsEvicted() + destination.getLoss().getFlowsEvicted())
          .setSpoolDrops(loss.getSpoolDrops() + destination.getLoss().getSpoolDrops());
    }
    return merged.build();
  }
}
