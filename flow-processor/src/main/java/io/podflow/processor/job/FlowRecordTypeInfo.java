package io.podflow.processor.job;

import io.podflow.schema.flow.v1.FlowRecord;
import java.io.IOException;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink's type information for flow records: their protobuf bytes, length first. (Flink's fallback,
 * Kryo, cannot build protobuf messages.) Records are immutable, so copies are the record itself.
 */
public final class FlowRecordTypeInfo extends TypeInformation<FlowRecord> {
  private static final long serialVersionUID = 1L;

  public static final FlowRecordTypeInfo INSTANCE = new FlowRecordTypeInfo();

  @Override
  public boolean isBasicType() {
    return false;
  }

  @Override
  public boolean isTupleType() {
    return false;
  }

  @Override
  public int getArity() {
    return 1;
  }

  @Override
  public int getTotalFields() {
    return 1;
  }

  @Override
  public Class<FlowRecord> getTypeClass() {
    return FlowRecord.class;
  }

  @Override
  public boolean isKeyType() {
    return false;
  }

  @Override
  public TypeSerializer<FlowRecord> createSerializer(SerializerConfig config) {
    return Serializer.INSTANCE;
  }

  @Override
  public String toString() {
    return "FlowRecord(protobuf)";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FlowRecordTypeInfo;
  }

  @Override
  public int hashCode() {
    return FlowRecord.class.hashCode();
  }

  @Override
  public boolean canEqual(Object o) {
    return o instanceof FlowRecordTypeInfo;
  }

  /** Length, then the record's protobuf bytes. */
  public static final class Serializer extends TypeSerializerSingleton<FlowRecord> {
    private static final long serialVersionUID = 1L;
    static final Serializer INSTANCE = new Serializer();

    @Override
    public boolean isImmutableType() {
      return true;
    }

    @Override
    public FlowRecord createInstance() {
      return FlowRecord.getDefaultInstance();
    }

    @Override
    public FlowRecord copy(FlowRecord from) {
      return from;
    }

    @Override
    public FlowRecord copy(FlowRecord from, FlowRecord reuse) {
      return from;
    }

    @Override
    public int getLength() {
      return -1;
    }

    @Override
    public void serialize(FlowRecord record, DataOutputView target) throws IOException {
      byte[] bytes = record.toByteArray();
      target.writeInt(bytes.length);
      target.write(bytes);
    }

    @Override
    public FlowRecord deserialize(DataInputView source) throws IOException {
      byte[] bytes = new byte[source.readInt()];
      source.readFully(bytes);
      return FlowRecord.parseFrom(bytes);
    }

    @Override
    public FlowRecord deserialize(FlowRecord reuse, DataInputView source) throws IOException {
      return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
      int length = source.readInt();
      target.writeInt(length);
      target.write(source, length);
    }

    @Override
    public TypeSerializerSnapshot<FlowRecord> snapshotConfiguration() {
      return new Snapshot();
    }
  }

  /** The serializer has no configuration: any version reads any other. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<FlowRecord> {
    public Snapshot() {
      super(() -> Serializer.INSTANCE);
    }
  }
}
