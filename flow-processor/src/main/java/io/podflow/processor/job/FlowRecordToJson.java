package io.podflow.processor.job;

import com.google.protobuf.InvalidProtocolBufferException;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.json.FlowRecordJson;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;

/**
 * Decodes an encoded flow record and emits its JSON form. A record that does not decode is counted
 * in the {@code undecodableRecords} metric and dropped, never failing the job.
 */
public final class FlowRecordToJson extends RichFlatMapFunction<byte[], String> {
  private static final long serialVersionUID = 1L;

  private transient FlowRecordJson json;
  private transient Counter undecodable;

  @Override
  public void open(OpenContext context) {
    json = new FlowRecordJson();
    undecodable = getRuntimeContext().getMetricGroup().counter("undecodableRecords");
  }

  @Override
  public void flatMap(byte[] encoded, Collector<String> out) {
    FlowRecord record;
    try {
      record = FlowRecord.parseFrom(encoded);
    } catch (InvalidProtocolBufferException e) {
      undecodable.inc();
      return;
    }
    out.collect(json.toJson(record));
  }
}
