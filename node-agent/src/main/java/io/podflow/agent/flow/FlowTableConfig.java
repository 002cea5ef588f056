package io.podflow.agent.flow;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits of the flow table.
 *
 * @param activeTimeout a flow that lasts longer is exported once per interval of this length
 * @param idleTimeout a flow with no packet for this long is exported and forgotten
 * @param closedTimeout the idle timeout once a TCP flow saw FIN or RST
 * @param maxFlows flows held at once by the table, or by all tables that share its {@link
 *     FlowBudget} (the agent's: one budget for every interface); beyond it the least recently seen
 *     is exported early. Tables grow by doubling, so a power of two is what one table can use
 *     whole; at most 2^25
 * @param sweepInterval how often expiry is checked, in table time
 */
public record FlowTableConfig(
    Duration activeTimeout,
    Duration idleTimeout,
    Duration closedTimeout,
    int maxFlows,
    Duration sweepInterval) {

  /** The largest {@code maxFlows}: what one table's arrays can hold (2^25 flows). */
  public static final int MAX_FLOWS = FlowStore.MAX_CAPACITY;

  public FlowTableConfig {
    positive(activeTimeout, "activeTimeout");
    positive(idleTimeout, "idleTimeout");
    positive(closedTimeout, "closedTimeout");
    positive(sweepInterval, "sweepInterval");
    if (maxFlows < 1 || maxFlows > MAX_FLOWS) {
      throw new IllegalArgumentException(
          "maxFlows must be between 1 and "
              + MAX_FLOWS
              + " (2^25, what one table's arrays can hold), not "
              + maxFlows);
    }
  }

  /** 10 s active, 15 s idle, 2 s after FIN or RST, 262,144 flows, checked every second. */
  public static FlowTableConfig defaults() {
    return new FlowTableConfig(
        Duration.ofSeconds(10),
        Duration.ofSeconds(15),
        Duration.ofSeconds(2),
        1 << 18,
        Duration.ofSeconds(1));
  }

  public FlowTableConfig withTimeouts(Duration active, Duration idle) {
    return new FlowTableConfig(active, idle, closedTimeout, maxFlows, sweepInterval);
  }

  public FlowTableConfig withMaxFlows(int flows) {
    return new FlowTableConfig(activeTimeout, idleTimeout, closedTimeout, flows, sweepInterval);
  }

  private static void positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, not " + d);
    }
  }
}
