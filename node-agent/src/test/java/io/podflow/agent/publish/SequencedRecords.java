package io.podflow.agent.publish;

import com.google.protobuf.ByteString;
import io.podflow.schema.flow.v1.Endpoint;
import io.podflow.schema.flow.v1.FlowRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Flow records numbered 0, 1, 2...: record i is connection {@code i % 50}'s record number {@code i
 * / 50} (its interval index), so a topic's contents can be counted by number: lost, duplicated, out
 * of order.
 */
final class SequencedRecords {
  static final int CONNECTIONS = 50;

  private SequencedRecords() {}

  static FlowRecord record(int i) {
    int connection = i % CONNECTIONS;
    int seq = i / CONNECTIONS;
    return FlowRecord.newBuilder()
        .setSchemaVersion(1)
        .setCluster("test")
        .setProtocol(6)
        .setIntervalIndex(seq)
        .setTimeStartNs(1_790_000_000_000_000_000L + seq * 1_000_000L)
        .setTimeEndNs(1_790_000_000_000_000_000L + seq * 1_000_000L + 500)
        .setSource(
            Endpoint.newBuilder()
                .setIp(ByteString.copyFrom(new byte[] {10, 1, 0, (byte) connection}))
                .setPort(10_000 + connection))
        .setDestination(
            Endpoint.newBuilder()
                .setIp(ByteString.copyFrom(new byte[] {10, 2, 0, 1}))
                .setPort(8080))
        .build();
  }

  static int number(FlowRecord r) {
    return (int) r.getIntervalIndex() * CONNECTIONS + (r.getSource().getPort() - 10_000);
  }

  /**
   * What a topic holds against records {@code [0, expected)}: how many of those are missing, how
   * many arrived more than once, how many came before an earlier one of their connection, and the
   * highest number seen.
   */
  record Delivery(int expected, int delivered, int lost, int duplicated, int outOfOrder, int max) {
    static Delivery of(List<FlowRecord> records, int expected) {
      Map<Integer, Integer> seen = new HashMap<>();
      Map<Integer, Integer> last = new HashMap<>();
      int outOfOrder = 0;
      int max = -1;
      for (FlowRecord r : records) {
        int n = number(r);
        seen.merge(n, 1, Integer::sum);
        int connection = n % CONNECTIONS;
        int previous = last.getOrDefault(connection, -1);
        if (n <= previous && seen.get(n) == 1) {
          outOfOrder++;
        }
        last.put(connection, Math.max(previous, n));
        max = Math.max(max, n);
      }
      int lost = 0;
      for (int i = 0; i < expected; i++) {
        if (!seen.containsKey(i)) {
          lost++;
        }
      }
      int duplicated = records.size() - seen.size();
      return new Delivery(expected, records.size(), lost, duplicated, outOfOrder, max);
    }
  }
}
