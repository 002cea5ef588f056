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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FlowBudgetTest {
  private static final FlowTableConfig CONFIG =
      FlowTableConfig.defaults().withTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(15));

  /** A table and its records, fed UDP flows from one pod to distinct ports. */
  private static final class Interface {
    final List<FlowRecord> records = new ArrayList<>();
    final FlowTable table;
    final FlowMeter meter;

    Interface(FlowBudget budget, String name) {
      this(budget, name, CONFIG);
    }

    void flows(int count, double at) {
      for (int i = 0; i < count; i++) {
        byte[] f = Frames.udp("10.0.0.1", 1024 + i % 60_000, "10.0.0.2", 53 + i / 60_000, 10);
        meter.frame(f, 0, f.length, f.length, LinkType.ETHERNET, (long) (at * 1e9) + i);
      }
      sent += count;
      meter.drain();
    }

    int sent;

    Interface(FlowBudget budget, String name, FlowTableConfig config) {
      FlowRecordBuilder builder = new FlowRecordBuilder("test", "node", name, "agent");
      table =
          new FlowTable(config, budget, (flow, reason) -> records.add(builder.build(flow, reason)));
      meter = new FlowMeter(table);
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

    // The flood's table doubled while the budget had the whole step: 256 + 2,048 of 4,096.
    assertThat(budget.reserved()).isEqualTo(256 + 2_048).isLessThanOrEqualTo(4_096);
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

  /**
   * A table that grew, evicted (moving its eviction cursor through its large arrays) and shrank,
   * then fills while the budget is spent: its evictions stay within its now smaller arrays. Where
   * the cursor stops depends on the hash's per-process secret, so the flood's length varies: before
   * the fix most of these runs threw ArrayIndexOutOfBoundsException.
   */
  @ParameterizedTest
  @ValueSource(
      ints = {
        1_500, 1_517, 1_534, 1_551, 1_568, 1_585, 1_602, 1_619, 1_636, 1_653, 1_670, 1_687, 1_704,
        1_721, 1_738, 1_755
      })
  void aTableThatShrankEvictsWithinItsNewArraysWhenTheBudgetIsSpent(int flood) {
    FlowBudget budget = new FlowBudget(1_024);
    Interface shrinks = new Interface(budget, "veth1");
    Interface takes = new Interface(budget, "veth2");
    new Interface(budget, "veth3"); // a third floor: 768 of 1,024 reserved by floors
    shrinks.flows(flood, 100);
    assertThat(shrinks.table.capacity()).isEqualTo(512);
    assertThat(shrinks.table.evictedFlows()).isPositive();
    for (int second = 116; second < 140; second++) {
      shrinks.meter.advanceTo(second * 1_000_000_000L);
    }
    assertThat(shrinks.table.capacity()).isEqualTo(256);

    takes.flows(1_000, 141);
    assertThat(budget.reserved()).isEqualTo(1_024);
    shrinks.flows(1_000, 142);

    assertThat(shrinks.table.activeFlows()).isEqualTo(256);
    shrinks.meter.finish();
    assertThat(shrinks.packets()).isEqualTo(shrinks.sent);
  }

  @Test
  void aTableDoublesOnlyByWholeStepsSoItsSlotsAreAlwaysTwiceItsRoom() {
    // 65,537 flows of budget: one more than a power of two, which a partial grant would have
    // turned into room for 65,537 flows in 262,144 slots (544 bytes per flow of budget).
    FlowBudget budget = new FlowBudget(65_537);
    Interface pod = new Interface(budget, "veth1");
    for (int flows : new int[] {300, 5_000, 40_000, 80_000}) {
      pod.flows(flows, 100);
      assertThat(pod.table.slots()).isEqualTo(2 * pod.table.capacity());
    }

    assertThat(pod.table.capacity()).isEqualTo(65_536);
    assertThat(pod.table.evictedFlows()).isPositive();
    assertThat(budget.reserved()).isEqualTo(65_536);
  }

  @Test
  void onlyEvictionsThatExportARecordAreCounted() {
    // 10 s active, 15 s idle: at 111 s every flow has had its interval exported and holds an
    // empty one, so pushing one out early exports nothing.
    FlowTableConfig config = FlowTableConfig.defaults();
    FlowBudget budget = new FlowBudget(4);
    Interface pod = new Interface(budget, "veth1", config);
    pod.flows(4, 100);
    pod.meter.advanceTo(111_000_000_000L);
    assertThat(pod.records)
        .hasSize(4)
        .allSatisfy(
            r -> assertThat(r.getEndReason()).isEqualTo(EndReason.END_REASON_ACTIVE_TIMEOUT));

    byte[] f = Frames.udp("10.0.0.9", 9, "10.0.0.2", 53, 10);
    pod.meter.frame(f, 0, f.length, f.length, LinkType.ETHERNET, 111_500_000_000L);
    pod.meter.drain();

    assertThat(pod.table.evictedFlows()).isZero();
    pod.flows(4, 112); // the four again, with packets now: each new one pushes out a full one
    pod.meter.finish();
    assertThat(pod.records)
        .filteredOn(r -> r.getEndReason() == EndReason.END_REASON_CACHE_FULL)
        .hasSize((int) pod.table.evictedFlows());
    assertThat(pod.table.evictedFlows()).isPositive();
  }
}
