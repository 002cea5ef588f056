package io.podflow.processor.job;

import io.podflow.processor.source.FlowRecordSource;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Flow records from Kafka as JSON documents: the first stages of the flow-processor job. */
public final class FlowDocumentStream {
  private FlowDocumentStream() {}

  /** Reads {@link FlowTopics#FLOWS} (up to its latest offsets when bounded) as documents. */
  public static DataStream<String> fromKafka(
      StreamExecutionEnvironment env, String bootstrapServers, String groupId, boolean bounded) {
    return env.fromSource(
            FlowRecordSource.create(bootstrapServers, FlowTopics.FLOWS, groupId, bounded),
            WatermarkStrategy.noWatermarks(),
            "flow records")
        .flatMap(new FlowRecordToJson())
        .name("decode to JSON");
  }
}
