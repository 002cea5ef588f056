package io.podflow.processor.job;

import com.google.protobuf.InvalidProtocolBufferException;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.SchemaVersion;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes flow records. One that does not decode, or whose schema version this job does not know,
 * goes to the dead-letter output with the reason (and is counted): the job goes on.
 */
final class DecodeFlows extends ProcessFunction<byte[], FlowRecord> {
  private static final long serialVersionUID = 1L;

  static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>(
          "dead-letters",
          org.apache.flink.api.common.typeinfo.TypeInformation.of(DeadLetter.class)) {};

  private transient Counter recordsIn;
  private transient Counter deadLetters;

  @Override
  public void open(OpenContext context) {
    recordsIn = getRuntimeContext().getMetricGroup().counter("recordsIn");
    deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
  }

  @Override
  public void processElement(byte[] value, Context ctx, Collector<FlowRecord> out) {
    recordsIn.inc();
    if (value == null) {
      dead(ctx, "empty record (no value)", new byte[0]);
      return;
    }
    FlowRecord record;
    try {
      record = FlowRecord.parseFrom(value);
    } catch (InvalidProtocolBufferException e) {
      dead(ctx, "not a podflow.flow.v1.FlowRecord: " + e.getMessage(), value);
      return;
    }
    if (record.getSchemaVersion() != SchemaVersion.SCHEMA_VERSION_1_VALUE) {
      dead(
          ctx,
          "unknown schema version " + record.getSchemaVersion() + " (this job reads 1)",
          value);
      return;
    }
    out.collect(record);
  }

  private void dead(Context ctx, String reason, byte[] value) {
    deadLetters.inc();
    ctx.output(DEAD_LETTERS, new DeadLetter(reason, value));
  }
}
