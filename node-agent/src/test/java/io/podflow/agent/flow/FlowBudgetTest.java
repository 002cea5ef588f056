package io.podflow.agent.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.podflow.agent.decode.LinkType;
import io.podflow.agent.testing.Frames;
import io.podflow.schema.flow.v1.EndReason;
import io.podflow.schema.flow.v1.FlowRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlowBudgetTest {
  private static final FlowTableConfig CONFIG =
      FlowTableConfig.defaults().withTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(15));

  /** A table and its records, fed UDP flows from one pod to distinct ports. */
  private static final class Interface {
    final List<FlowRecord> records = new ArrayList<>();
    final FlowTable table;
    final FlowMeter meter;

    Interface(FlowBudget budget, String name) {
      FlowRecordBuilder builder = new FlowRecordBuilder("test", "node", name, "agent");
      table =
          new FlowTable(CONFIG, budget, (flow, reason) -> records.add(builder.build(flow, reason)));
      meter = new FlowMeter(table);
    }

    void flows(int count, double at) {
      for (int i = 0; i < count; i++) {
        byte[] f = Frames.udp("10.0.0.1", 1024 + i % 60_000, "10.0.0.2", 53 + i / 60_000, 10);
        meter.frame(f, 0, f.length, f.length, LinkType.ETHERNET, (long) (at * 1e9) + i);
      }
      meter.drain();
    }

    long packets() {
      return records.stream().mapToLong(r -> r.getSourceToDestination().getPackets()).sum();
    }
  }

  @Test
  void aNewTableStartsSmallAndGrowsAsItsFlowsArrive() {
    FlowBudget budget = new FlowBudget(1 << 18);
    Interface pod = new Interface(budget, "veth1");
    assertThat(pod.table.capacity()).isEqualTo(FlowBudget.FLOOR);

    pod.flows(10_000, 100);

    assertThat(pod.table.activeFlows()).isEqualTo(10_000);
    assertThat(pod.table.evictedFlows()).isZero();
    assertThat(pod.table.capacity()).isBetween(10_000, 2 * 10_000);
    assertThat(budget.reserved()).isEqualTo(pod.table.capacity());
    pod.meter.finish();
    assertThat(pod.packets()).isEqualTo(10_000);
  }

  @Test
  void tablesOfOneAgentTogetherNeverHoldMoreThanItsBudget() {
    FlowBudget budget = new FlowBudget(4_096);
    Interface quiet = new Interface(budget, "veth1");
    Interface flood = new Interface(budget, "veth2");
    quiet.flows(10, 100);

    flood.flows(50_000, 100);

    assertThat(budget.reserved()).isEqualTo(4_096);
    assertThat(quiet.table.activeFlows() + flood.table.activeFlows()).isLessThanOrEqualTo(4_096);
    assertThat(flood.table.evictedFlows()).isEqualTo(50_000 - flood.table.activeFlows());
    assertThat(quiet.table.activeFlows()).isEqualTo(10);
    flood.meter.finish();
    assertThat(flood.packets()).as("every packet is in a record, evicted or not").isEqualTo(50_000);
    assertThat(flood.records)
        .filteredOn(r -> r.getEndReason() == EndReason.END_REASON_CACHE_FULL)
        .hasSize((int) flood.table.evictedFlows());
  }

  @Test
  void anInterfaceThatEndsGivesItsRoomBackToTheOthers() {
    FlowBudget budget = new FlowBudget(4_096);
    Interface gone = new Interface(budget, "veth1");
    Interface stays = new Interface(budget, "veth2");
    gone.flows(3_000, 100);

    gone.table.close();
    stays.flows(3_000, 100);

    assertThat(gone.packets()).isEqualTo(3_000);
    assertThat(stays.table.activeFlows()).isEqualTo(3_000);
    assertThat(stays.table.evictedFlows()).isZero();
    assertThat(budget.reserved()).isEqualTo(stays.table.capacity());
  }

  @Test
  void aTableMostlyEmptiedByExpiryShrinksBackAndReleasesItsRoom() {
    FlowBudget budget = new FlowBudget(1 << 18);
    Interface pod = new Interface(budget, "veth1");
    pod.flows(20_000, 100);
    int grown = pod.table.capacity();

    // Idle for longer than the idle timeout: every flow expires, one sweep per second shrinks.
    for (int second = 116; second < 140; second++) {
      pod.meter.advanceTo(second * 1_000_000_000L);
    }

    assertThat(grown).isGreaterThan(20_000);
    assertThat(pod.table.activeFlows()).isZero();
    assertThat(pod.table.capacity()).isEqualTo(FlowBudget.FLOOR);
    assertThat(budget.reserved()).isEqualTo(FlowBudget.FLOOR);
    assertThat(pod.packets()).isEqualTo(20_000);
  }
}
