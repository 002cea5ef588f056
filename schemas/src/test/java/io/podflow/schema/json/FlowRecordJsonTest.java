package io.podflow.schema.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.podflow.schema.GoldenRecord;
import io.podflow.schema.flow.v1.Endpoint;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.Icmp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class FlowRecordJsonTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final FlowRecordJson json = new FlowRecordJson();

  @Test
  void goldenEncodedRecordDecodesToTheExpectedJson() throws IOException {
    FlowRecord decoded = FlowRecord.parseFrom(resource("golden/flow-record-v1.binpb"));

    JsonNode expected = MAPPER.readTree(resource("golden/flow-record-v1.json"));
    assertThat(MAPPER.readTree(json.toJson(decoded))).isEqualTo(expected);
  }

  @Test
  void goldenBytesDecodeToEveryFieldTheyWereWrittenWith() throws IOException {
    // Fails when a field is renumbered or its type changes: old bytes would decode differently.
    FlowRecord decoded = FlowRecord.parseFrom(resource("golden/flow-record-v1.binpb"));

    assertThat(decoded).isEqualTo(GoldenRecord.full());
    assertThat(decoded.getUnknownFields().asMap()).isEmpty();
  }

  @Test
  void aReusedDocumentWriterWritesEachRecordExactlyAsAloneWithNothingBetweenThem() {
    FlowRecord golden = GoldenRecord.full();
    FlowRecord other = golden.toBuilder().setCluster("other").clearPolicy().build();
    FlowRecordJson.DocumentWriter writer = json.documentWriter();

    assertThat(utf8(writer.utf8(golden))).isEqualTo(json.toJson(golden));
    assertThat(utf8(writer.utf8(other))).isEqualTo(json.toJson(other));
    assertThat(utf8(writer.utf8(golden))).isEqualTo(json.toJson(golden));
  }

  @Test
  void aDocumentWriterThatFailedOnARecordWritesTheNextOneWhole() {
    FlowRecord golden = GoldenRecord.full();
    FlowRecord broken =
        golden.toBuilder()
            .setSource(
                golden.getSource().toBuilder()
                    .setIp(com.google.protobuf.ByteString.copyFrom(new byte[5])))
            .build();
    FlowRecordJson.DocumentWriter writer = json.documentWriter();

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> writer.utf8(broken))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(utf8(writer.utf8(golden))).isEqualTo(json.toJson(golden));
  }

  private static String utf8(byte[] bytes) {
    return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void absentValuesAreLeftOutRatherThanWrittenAsNull() throws IOException {
    FlowRecord minimal =
        FlowRecord.newBuilder()
            .setSchemaVersion(1)
            .setTimeStartNs(1_000_000_000L)
            .setTimeEndNs(3_500_000_000L)
            .setProtocol(47)
            .setIpVersion(4)
            .setSource(Endpoint.newBuilder().setIp(ip(192, 0, 2, 1)))
            .setDestination(Endpoint.newBuilder().setIp(ip(192, 0, 2, 2)))
            .build();

    JsonNode doc = MAPPER.readTree(json.toJson(minimal));

    assertThat(doc.toString()).doesNotContain("null");
    assertThat(doc.at("/network/transport").asText()).isEqualTo("gre");
    assertThat(doc.has("source") && doc.at("/source/port").isMissingNode()).isTrue();
    assertThat(doc.has("policy")).isFalse();
    assertThat(doc.has("icmp")).isFalse();
    assertThat(doc.at("/event/duration").asLong()).isEqualTo(2_500_000_000L);
    assertThat(doc.at("/event/start").asText()).isEqualTo("1970-01-01T00:00:01.000000000Z");
  }

  @Test
  void icmpFlowsCarryTypeCodeAndEchoIdentifier() throws IOException {
    FlowRecord ping =
        FlowRecord.newBuilder()
            .setProtocol(58)
            .setIpVersion(6)
            .setIcmp(Icmp.newBuilder().setType(128).setCode(0).setEchoId(4711))
            .setSource(Endpoint.newBuilder().setIp(ipv6("fd00:0:0:0:0:0:0:1")))
            .setDestination(Endpoint.newBuilder().setIp(ipv6("fd00:0:0:1:0:0:0:2")))
            .build();

    JsonNode doc = MAPPER.readTree(json.toJson(ping));

    assertThat(doc.at("/icmp/type").asInt()).isEqualTo(128);
    assertThat(doc.at("/icmp/code").asInt()).isZero();
    assertThat(doc.at("/icmp/echo_id").asInt()).isEqualTo(4711);
    assertThat(doc.at("/network/transport").asText()).isEqualTo("ipv6-icmp");
    assertThat(doc.at("/network/type").asText()).isEqualTo("ipv6");
    assertThat(doc.at("/source/ip").asText()).isEqualTo("fd00::1");
    assertThat(doc.at("/destination/ip").asText()).isEqualTo("fd00:0:0:1::2");
  }

  @Test
  void writesToAStreamWithoutClosingIt() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    json.write(GoldenRecord.full(), out);
    out.write('\n');

    assertThat(MAPPER.readTree(out.toByteArray()))
        .isEqualTo(MAPPER.readTree(json.toJson(GoldenRecord.full())));
  }

  @Test
  void writesOneRecordPerLine() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (FlowRecordJson.LinesWriter lines = json.lines(out)) {
      lines.write(GoldenRecord.full());
      lines.write(GoldenRecord.full());
    }

    String[] text = out.toString(java.nio.charset.StandardCharsets.UTF_8).split("\n", -1);
    assertThat(text).hasSize(3);
    assertThat(text[2]).isEmpty();
    assertThat(MAPPER.readTree(text[1]))
        .isEqualTo(MAPPER.readTree(json.toJson(GoldenRecord.full())));
  }

  private static ByteString ip(int a, int b, int c, int d) {
    return ByteString.copyFrom(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
  }

  private static ByteString ipv6(String text) throws IOException {
    return ByteString.copyFrom(java.net.InetAddress.getByName(text).getAddress());
  }

  static byte[] resource(String name) throws IOException {
    try (InputStream in = FlowRecordJsonTest.class.getResourceAsStream("/" + name)) {
      assertThat(in).as(name).isNotNull();
      return in.readAllBytes();
    }
  }
}
