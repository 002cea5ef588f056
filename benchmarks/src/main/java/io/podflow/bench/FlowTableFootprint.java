package io.podflow.bench;

import io.podflow.agent.decode.LinkType;
import io.podflow.agent.flow.FlowMeter;
import io.podflow.agent.flow.FlowTable;
import io.podflow.agent.flow.FlowTableConfig;

/**
 * Heap held by one interface's flow meter and table (default limits) with 0 to 262,144 live flows,
 * measured after a full GC: the cost per interface and per flow that the DaemonSet's memory follows
 * from. Public API only, so it measures the agent before and after the shared budget alike.
 */
public final class FlowTableFootprint {
  private FlowTableFootprint() {}

  public static void main(String[] args) {
    int[] counts = {0, 1_000, 10_000, 100_000, 262_144};
    byte[] frame = new byte[42];
    frame[12] = 0x08;
    frame[14] = 0x45;
    frame[17] = 28;
    frame[23] = 17;
    frame[26] = 10;
    frame[29] = 1;
    frame[30] = 10;
    frame[33] = 2;
    frame[39] = 8;
    for (int flows : counts) {
      long before = heapAfterGc();
      FlowTable table = new FlowTable(FlowTableConfig.defaults(), (flow, reason) -> {});
      FlowMeter meter = new FlowMeter(table);
      for (int i = 0; i < flows; i++) {
        frame[34] = (byte) (i >>> 24 | 0x80);
        frame[35] = (byte) (i >>> 16);
        frame[36] = (byte) (i >>> 8);
        frame[37] = (byte) i;
        meter.frame(frame, 0, 42, 42, LinkType.ETHERNET, 1_000_000_000L + i);
      }
      meter.drain();
      long held = heapAfterGc() - before;
      System.out.printf(
          "flows %7d (table holds %7d): %8.2f MiB, %s bytes per flow%n",
          flows,
          table.activeFlows(),
          held / 1048576.0,
          flows == 0 ? "-" : String.valueOf(held / flows));
      if (table.activeFlows() < 0) {
        System.out.println("unreachable: keeps the table live until here");
      }
    }
  }

  private static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }
}
