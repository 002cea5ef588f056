package io.podflow.processor.source;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.podflow.schema.flow.v1.FlowRecord;
import java.io.IOException;

/**
 * A flow record's event time (its last packet, in milliseconds) read straight from its bytes, so
 * that the Kafka source can give each partition its own watermark without decoding whole records
 * twice. Bytes that are not a record fall back to Kafka's timestamp (they go to the dead letters).
 */
public final class EventTime {
  private static final int TIME_END = FlowRecord.TIME_END_NS_FIELD_NUMBER;

  private EventTime() {}

  public static long millis(byte[] record, long kafkaTimestamp) {
    if (record == null) {
      return kafkaTimestamp;
    }
    try {
      CodedInputStream in = CodedInputStream.newInstance(record);
      for (int tag; (tag = in.readTag()) != 0; ) {
        if (WireFormat.getTagFieldNumber(tag) == TIME_END
            && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_FIXED64) {
          return in.readFixed64() / 1_000_000L;
        }
        if (!in.skipField(tag)) {
          break;
        }
      }
    } catch (IOException e) {
      // not a record: Kafka's time will do
    }
    return kafkaTimestamp;
  }
}
