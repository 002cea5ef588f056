package io.podflow.processor.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.podflow.schema.flow.v1.FlowRecord;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class FlowRecordToJsonIT {
  @RegisterExtension static final MiniClusterExtension FLINK = new MiniClusterExtension();

  @Test
  void undecodableRecordsAreDroppedWithoutFailingTheJob() throws Exception {
    byte[] good = FlowRecord.newBuilder().setSchemaVersion(1).setProtocol(17).build().toByteArray();
    byte[] truncatedVarint = {0x08, (byte) 0x96};
    byte[] wrongWireType = {0x0f, 0x01};

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    List<String> documents = new ArrayList<>();
    try (CloseableIterator<String> out =
        env.fromData(
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO,
                truncatedVarint,
                good,
                wrongWireType)
            .flatMap(new FlowRecordToJson())
            .executeAndCollect()) {
      out.forEachRemaining(documents::add);
    }

    assertThat(documents).singleElement().asString().contains("\"transport\":\"udp\"");
  }
}
