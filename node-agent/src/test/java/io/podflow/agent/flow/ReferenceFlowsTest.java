package io.podflow.agent.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.podflow.agent.app.OfflineReplay;
import io.podflow.agent.app.OfflineReplay.FrameSourceKind;
import io.podflow.agent.capture.CaptureFileException;
import io.podflow.agent.capture.CaptureFileReader;
import io.podflow.agent.testing.ReferenceCaptures;
import io.podflow.schema.flow.v1.DirectionCounters;
import io.podflow.schema.flow.v1.Endpoint;
import io.podflow.schema.flow.v1.FlowRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Our flows over every reference capture equal its tshark flow table: every flow, both directions'
 * packets and IP bytes, TCP flags, first and last timestamps, and the frames that belong to no
 * flow. The tables cover whole files without timeouts, so the table runs with timeouts longer than
 * any capture and records of one flow are summed. Each capture is read by both readers, the Java
 * one and libpcap; libpcap gives a file one link type, so for a pcapng file whose interfaces have
 * several it must refuse, at the first frame of another type, rather than misread.
 *
 * <p>Two sets of captures: the repository's own fixtures (always), and the public captures kept
 * outside the repository, an extra suite that runs where they are present and otherwise reports, as
 * a passing test and on the test output, that they were not found. It is not a skipped test:
 * nothing was expected of a directory that is not there, and the report says where it looked.
 *
 * <p>No capture here needs an exception: the two places where podflow's definition differs from
 * tshark's (an IPv4 source-route option, a later fragment more than 30 s after its first; see
 * node-agent/DESIGN.md) occur in none of them.
 */
class ReferenceFlowsTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Duration FOREVER = Duration.ofDays(365 * 100);

  @TestFactory
  Stream<DynamicNode> repositoryFixturesMatchTheirTsharkTables() {
    return suite(ReferenceCaptures.bundled());
  }

  @Test
  void repositoryFixturesHoldAPcapngWithSeveralLinkTypesForLibpcapToRefuse() {
    ReferenceCaptures bundled = ReferenceCaptures.bundled();

    assertThat(bundled.names()).anyMatch(name -> linkTypes(bundled, name).size() > 1);
  }

  @TestFactory
  Stream<DynamicNode> externalPublicCapturesMatchTheirTsharkTablesWherePresent() {
    Optional<ReferenceCaptures> external = ReferenceCaptures.external();
    if (external.isPresent()) {
      System.out.println(
          "external reference captures found at "
              + ReferenceCaptures.EXTERNAL_DIRECTORY
              + ": extra suite runs over "
              + external.get().names().size()
              + " captures");
      return suite(external.get());
    }
    String report =
        "external reference captures not found at "
            + ReferenceCaptures.EXTERNAL_DIRECTORY
            + ": extra suite not run (the repository's own fixtures ran)";
    return Stream.of(
        dynamicTest(
            report,
            () -> {
              System.out.println(report);
              assertThat(ReferenceCaptures.EXTERNAL_DIRECTORY).doesNotExist();
            }));
  }

  private static Stream<DynamicNode> suite(ReferenceCaptures captures) {
    return captures.names().stream()
        .map(
            name ->
                dynamicContainer(
                    name,
                    Stream.of(
                        dynamicTest(
                            "java reader",
                            () -> assertMatchesReference(captures, name, FrameSourceKind.JAVA)),
                        linkTypes(captures, name).size() > 1
                            ? dynamicTest(
                                "libpcap refuses its mixed link types",
                                () -> assertLibpcapRefuses(captures.capture(name)))
                            : dynamicTest(
                                "libpcap",
                                () ->
                                    assertMatchesReference(
                                        captures, name, FrameSourceKind.LIBPCAP)))));
  }

  private static Set<Integer> linkTypes(ReferenceCaptures captures, String name) {
    try {
      Set<Integer> types = new TreeSet<>();
      MAPPER
          .readTree(captures.table(name).toFile())
          .get("linktypes")
          .forEach(t -> types.add(t.asInt()));
      return types;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * libpcap 1.10 gives a file one link type and stops at the first packet of another. That is why
   * the Java reader is the default for files (and it matches the reference). Where it stops is
   * counted independently, with the Java reader: the frames before the first one of another type.
   */
  private static void assertLibpcapRefuses(Path file) {
    int[] first = {-1};
    long[] before = {0};
    boolean[] changed = {false};
    CaptureFileReader.read(
        file,
        (data, offset, captured, wire, linkType, ts) -> {
          if (first[0] < 0) {
            first[0] = linkType;
          }
          changed[0] |= linkType != first[0];
          if (!changed[0]) {
            before[0]++;
          }
        });
    assertThat(changed[0]).as("the file has frames of two link types").isTrue();
    FlowTableConfig config = FlowTableConfig.defaults().withTimeouts(FOREVER, FOREVER);

    assertThatThrownBy(() -> OfflineReplay.run(file, config, FrameSourceKind.LIBPCAP, r -> {}))
        .isInstanceOf(CaptureFileException.class)
        .hasMessageContaining("after " + before[0] + " frames")
        .hasMessageContaining("different from the type of the first interface");
  }

  private static void assertMatchesReference(
      ReferenceCaptures captures, String name, FrameSourceKind source) throws IOException {
    JsonNode reference = MAPPER.readTree(captures.table(name).toFile());
    List<FlowRecord> records = new ArrayList<>();
    OfflineReplay.Summary read =
        OfflineReplay.run(
            captures.capture(name),
            FlowTableConfig.defaults().withTimeouts(FOREVER, FOREVER).withMaxFlows(1 << 16),
            source,
            records::add);

    JsonNode totals = reference.get("totals");
    assertThat(read.frames()).as("frames of " + name).isEqualTo(totals.get("packets").asLong());
    assertThat(read.truncated()).isFalse();
    assertThat(read.evicted()).isZero();
    MeterCounters counters = read.counters();
    assertThat(counters.notIp() + counters.malformedTotal())
        .as("frames in no flow of " + name)
        .isEqualTo(totals.get("non_ip_packets").asLong());
    assertThat(counters.ipPackets())
        .as("IP packets of " + name)
        .isEqualTo(totals.get("ip_packets").asLong());

    Map<String, String> ours = summarize(records);
    Map<String, String> theirs = new TreeMap<>();
    for (JsonNode flow : reference.get("flows")) {
      theirs.put(key(flow), describe(flow));
    }
    assertThat(theirs).hasSize(totals.get("flows").asInt());
    assertThat(ours).as("flows of " + name).containsExactlyInAnyOrderEntriesOf(theirs);
  }

  /** Sums the records of each flow into the reference's shape, keyed like the reference. */
  private static Map<String, String> summarize(List<FlowRecord> records) throws IOException {
    Map<String, long[]> sums = new TreeMap<>();
    for (FlowRecord r : records) {
      Side src = side(r.getSource());
      Side dst = side(r.getDestination());
      boolean sourceIsA = src.compareTo(dst) <= 0;
      Side a = sourceIsA ? src : dst;
      Side b = sourceIsA ? dst : src;
      // An ICMP flow whose messages were too short for a type carries no ICMP part in its
      // record; the table writes that part as all null. Both say the same.
      boolean icmpProtocol =
          (r.getIpVersion() == 4 && r.getProtocol() == 1)
              || (r.getIpVersion() == 6 && r.getProtocol() == 58);
      String icmp =
          r.hasIcmp()
              ? (r.getIcmp().hasType() ? r.getIcmp().getType() : -1)
                  + "/"
                  + (r.getIcmp().hasCode() ? r.getIcmp().getCode() : -1)
                  + "/"
                  + (r.getIcmp().hasEchoId() ? r.getIcmp().getEchoId() : -1)
              : icmpProtocol ? "-1/-1/-1" : "-";
      String key = r.getIpVersion() + " " + r.getProtocol() + " " + a + " " + b + " " + icmp;
      DirectionCounters ab = sourceIsA ? r.getSourceToDestination() : r.getDestinationToSource();
      DirectionCounters ba = sourceIsA ? r.getDestinationToSource() : r.getSourceToDestination();
      long[] s =
          sums.computeIfAbsent(
              key, k -> new long[] {0, 0, 0, 0, 0, 0, Long.MAX_VALUE, Long.MIN_VALUE});
      s[0] += ab.getPackets();
      s[1] += ab.getBytes();
      s[2] |= ab.getTcpFlags();
      s[3] += ba.getPackets();
      s[4] += ba.getBytes();
      s[5] |= ba.getTcpFlags();
      s[6] = Math.min(s[6], r.getTimeStartNs());
      s[7] = Math.max(s[7], r.getTimeEndNs());
    }
    Map<String, String> out = new TreeMap<>();
    sums.forEach(
        (k, s) ->
            out.put(
                k,
                String.format(
                    "a>b %d pkts %d bytes flags %d | b>a %d pkts %d bytes flags %d | %d..%d",
                    s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7])));
    return out;
  }

  private static String key(JsonNode flow) throws IOException {
    Side a = side(flow.get("a"));
    Side b = side(flow.get("b"));
    JsonNode icmp = flow.get("icmp");
    String icmpKey =
        icmp == null || icmp.isNull()
            ? "-"
            : intOr(icmp.get("type")) + "/" + intOr(icmp.get("code")) + "/" + intOr(icmp.get("id"));
    return flow.get("ip_version").asInt()
        + " "
        + flow.get("proto").asInt()
        + " "
        + a
        + " "
        + b
        + " "
        + icmpKey;
  }

  private static String describe(JsonNode flow) {
    JsonNode ab = flow.get("a_to_b");
    JsonNode ba = flow.get("b_to_a");
    return String.format(
        "a>b %d pkts %d bytes flags %d | b>a %d pkts %d bytes flags %d | %d..%d",
        ab.get("packets").asLong(),
        ab.get("ip_bytes").asLong(),
        ab.get("tcp_flags").asInt(0),
        ba.get("packets").asLong(),
        ba.get("ip_bytes").asLong(),
        ba.get("tcp_flags").asInt(0),
        flow.get("first_ts_ns").asLong(),
        flow.get("last_ts_ns").asLong());
  }

  private static int intOr(JsonNode n) {
    return n == null || n.isNull() ? -1 : n.asInt();
  }

  private record Side(byte[] ip, int port) implements Comparable<Side> {
    @Override
    public int compareTo(Side o) {
      int c = java.util.Arrays.compareUnsigned(ip, o.ip);
      return c != 0 ? c : Integer.compare(port, o.port);
    }

    @Override
    public String toString() {
      try {
        return InetAddress.getByAddress(ip).getHostAddress() + ":" + port;
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static Side side(Endpoint e) {
    return new Side(e.getIp().toByteArray(), e.hasPort() ? e.getPort() : -1);
  }

  private static Side side(JsonNode endpoint) throws IOException {
    return new Side(
        InetAddress.getByName(endpoint.get("ip").asText()).getAddress(),
        intOr(endpoint.get("port")));
  }
}
