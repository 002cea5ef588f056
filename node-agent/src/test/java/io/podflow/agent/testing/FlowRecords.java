package io.podflow.agent.testing;

import com.google.protobuf.InvalidProtocolBufferException;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.stack.TopicReader;
import java.util.List;

/** The flow records a topic of the local broker holds. */
public final class FlowRecords {
  private FlowRecords() {}

  /** Every record of the topic, in partition order. */
  public static List<FlowRecord> in(String bootstrap, String topic) {
    return TopicReader.values(
        bootstrap,
        topic,
        bytes -> {
          try {
            return FlowRecord.parseFrom(bytes);
          } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("not a flow record", e);
          }
        });
  }
}
