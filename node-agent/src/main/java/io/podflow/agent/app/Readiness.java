package io.podflow.agent.app;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Whether the agent does what it is there for, and if not, why: {@code /readyz} answers 503 with
 * the reasons and {@code podflow_agent_not_ready{reason}} is 1 for each, so an operator (or a
 * rollout) sees a blind agent instead of a green one.
 */
final class Readiness {
  /** Why the agent is not ready; the metric's label is the lower-case name. */
  enum Reason {
    /** The API server's lists, the publisher or capture are not up yet. */
    STARTING,
    /** An interface that matches the configuration cannot be captured. */
    INTERFACE_NOT_CAPTURED,
    /** The last scan for interfaces failed: new pods would not be captured. */
    RESCAN_FAILED,
    /** The flow budget is spent: flows were exported early within the last window. */
    FLOWS_SATURATED;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The signals readiness is made of. */
  interface Signals {
    boolean started();

    int uncapturedInterfaces();

    boolean rescanFailed();

    /** Flows exported early because the budget was spent (ever growing). */
    long budgetEvictions();
  }

  /** The signals of live capture: {@code flows} may be null until it starts. */
  static Signals signalsOf(BooleanSupplier started, Supplier<LiveFlows> flows) {
    return new Signals() {
      @Override
      public boolean started() {
        return started.getAsBoolean() && flows.get() != null;
      }

      @Override
      public int uncapturedInterfaces() {
        return flows.get().capture().uncaptured().size();
      }

      @Override
      public boolean rescanFailed() {
        return flows.get().capture().rescanFailure() != null;
      }

      @Override
      public long budgetEvictions() {
        LiveFlows.Totals t = flows.get().totals();
        return t.evictedFlows() - t.probeLimitEvictions();
      }
    };
  }

  private final Signals signals;
  private final LongSupplier clockNanos;
  private final long windowNanos;

  /** Evictions seen at the last look: any at the first look count as recent. */
  private long evictionsSeen;

  private long lastEvictionAt = Long.MIN_VALUE;

  /**
   * @param saturationWindow how long after the last early export the agent stays saturated
   */
  Readiness(Signals signals, LongSupplier clockNanos, Duration saturationWindow) {
    this.signals = signals;
    this.clockNanos = clockNanos;
    this.windowNanos = saturationWindow.toNanos();
  }

  /** Why the agent is not ready now; empty when it is. */
  synchronized Set<Reason> reasons() {
    Set<Reason> reasons = EnumSet.noneOf(Reason.class);
    if (!signals.started()) {
      reasons.add(Reason.STARTING);
      return reasons;
    }
    if (signals.uncapturedInterfaces() > 0) {
      reasons.add(Reason.INTERFACE_NOT_CAPTURED);
    }
    if (signals.rescanFailed()) {
      reasons.add(Reason.RESCAN_FAILED);
    }
    long now = clockNanos.getAsLong();
    long evictions = signals.budgetEvictions();
    if (evictions > evictionsSeen) {
      lastEvictionAt = now;
    }
    evictionsSeen = evictions;
    if (lastEvictionAt != Long.MIN_VALUE && now - lastEvictionAt < windowNanos) {
      reasons.add(Reason.FLOWS_SATURATED);
    }
    return reasons;
  }
}
