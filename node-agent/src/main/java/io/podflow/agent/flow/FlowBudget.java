package io.podflow.agent.flow;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How many flows the agent's tables may hold together: one budget per agent, shared by the tables
 * of every captured interface (each in its own thread). A table starts with a small floor of its
 * own, takes more as it fills and gives it back when it shrinks or its interface ends; when the
 * budget is spent, a full table exports its least recently seen flows early instead of growing.
 * Memory is therefore bounded by the budget (plus the floors of many quiet interfaces), whatever
 * the number of interfaces.
 */
public final class FlowBudget {
  /** Flows a new table holds before it asks the budget for more. */
  static final int FLOOR = 256;

  private final int maxFlows;
  private final AtomicLong reserved = new AtomicLong();

  /**
   * @param maxFlows flows held at most by all tables together (floors aside)
   */
  public FlowBudget(int maxFlows) {
    if (maxFlows < 1) {
      throw new IllegalArgumentException("maxFlows must be positive, not " + maxFlows);
    }
    this.maxFlows = maxFlows;
  }

  public int maxFlows() {
    return maxFlows;
  }

  /** Flows the tables may hold now (their capacities, not what they hold). */
  public long reserved() {
    return reserved.get();
  }

  /** The floor of a new table: granted even when the budget is spent. */
  int reserveFloor() {
    int floor = Math.min(FLOOR, maxFlows);
    reserved.addAndGet(floor);
    return floor;
  }

  /**
   * Takes {@code flows} from what is left if all of them are there (a table doubles or not at all,
   * see {@link FlowTable}); false, and nothing taken, otherwise.
   */
  boolean reserve(int flows) {
    while (true) {
      long now = reserved.get();
      if (now + flows > maxFlows) {
        return false;
      }
      if (reserved.compareAndSet(now, now + flows)) {
        return true;
      }
    }
  }

  void release(int flows) {
    reserved.addAndGet(-flows);
  }
}
