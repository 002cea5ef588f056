package io.podflow.agent.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.podflow.agent.testing.Frames;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Link types and header cases the public reference captures do not contain. */
class PacketDecoderTest {
  private final PacketDecoder decoder = new PacketDecoder();
  private final DecodedPacket p = new DecodedPacket();

  @Test
  void bsdLoopbackInHostByteOrderCarriesIpv4() {
    byte[] ip = ipOf(Frames.udp("127.0.0.1", 1234, "127.0.0.1", 53, 4));
    byte[] frame = concat(new byte[] {2, 0, 0, 0}, ip); // AF_INET, little-endian host

    assertThat(decode(frame, LinkType.NULL)).isEqualTo(DecodeOutcome.IP);
    assertThat(p.dstPort).isEqualTo(53);
  }

  @Test
  void openBsdLoopbackInNetworkByteOrderCarriesIpv6() {
    byte[] ip = ipOf(Frames.udp("::1", 1234, "::1", 53, 4));
    byte[] frame = concat(new byte[] {0, 0, 0, 24}, ip); // AF_INET6 on BSD

    assertThat(decode(frame, LinkType.LOOP)).isEqualTo(DecodeOutcome.IP);
    assertThat(p.ipVersion).isEqualTo(6);
    assertThat(p.ipBytes).isEqualTo(40 + 12);
  }

  @Test
  void linkTypeIpv4DecodesAnIpv6HeaderAsTsharkDoesButLinkTypeIpv6RejectsIpv4() {
    byte[] ip6 = ipOf(Frames.udp("::1", 1, "::1", 2, 0));
    byte[] ip4 = ipOf(Frames.udp("10.0.0.1", 1, "10.0.0.2", 2, 0));

    assertThat(decode(ip6, LinkType.IPV4)).isEqualTo(DecodeOutcome.IP);
    assertThat(p.ipVersion).isEqualTo(6);
    assertThat(decode(ip4, LinkType.IPV6)).isEqualTo(DecodeOutcome.MALFORMED);
    assertThat(decoder.malformedReason()).isEqualTo(MalformedReason.IP_VERSION_INVALID);
  }

  @Test
  void anIpv4TotalLengthOfZeroFromSegmentationOffloadCountsTheWireLength() {
    byte[] frame = Frames.tcp("10.0.0.1", 1, "10.0.0.2", 2, Frames.ACK, 100);
    frame[14 + 2] = 0;
    frame[14 + 3] = 0;

    assertThat(decoder.decode(frame, 0, 80, 64_000, LinkType.ETHERNET, 0, p))
        .isEqualTo(DecodeOutcome.IP);
    assertThat(p.ipBytes).isEqualTo(64_000 - 14);
    assertThat(p.srcPort).isEqualTo(1);
  }

  @Test
  void stackedVlanTagsOfAnyKindAreSkipped() {
    byte[] frame =
        Frames.tagged(
            Frames.tagged(Frames.udp("10.0.0.1", 1, "10.0.0.2", 2, 0), 0x8100, 20), 0x88a8, 10);

    assertThat(decode(frame, LinkType.ETHERNET)).isEqualTo(DecodeOutcome.IP);
    assertThat(p.dstPort).isEqualTo(2);
  }

  @Test
  void aFrameCutInsideItsVlanTagIsMalformedNotIp() {
    byte[] frame = Frames.tagged(Frames.udp("10.0.0.1", 1, "10.0.0.2", 2, 0), 0x8100, 20);

    assertThat(decoder.decode(frame, 0, 16, frame.length, LinkType.ETHERNET, 0, p))
        .isEqualTo(DecodeOutcome.MALFORMED);
    assertThat(decoder.malformedReason()).isEqualTo(MalformedReason.LINK_HEADER_TRUNCATED);
  }

  @Test
  void aTcpHeaderCutShortKeepsItsPortsButNotItsFlags() {
    byte[] frame = Frames.tcp("10.0.0.1", 40000, "10.0.0.2", 80, Frames.SYN);

    assertThat(decoder.decode(frame, 0, 14 + 20 + 10, frame.length, LinkType.ETHERNET, 0, p))
        .isEqualTo(DecodeOutcome.IP);
    assertThat(p.srcPort).isEqualTo(40000);
    assertThat(p.tcpFlags).isEqualTo(DecodedPacket.ABSENT);
    assertThat(p.transportTruncated).isTrue();
  }

  @Test
  void anUnsupportedLinkTypeIsCountedNotGuessed() {
    byte[] frame = Frames.udp("10.0.0.1", 1, "10.0.0.2", 2, 0);

    assertThat(decode(frame, 147)).isEqualTo(DecodeOutcome.MALFORMED);
    assertThat(decoder.malformedReason()).isEqualTo(MalformedReason.LINK_TYPE_UNSUPPORTED);
  }

  private DecodeOutcome decode(byte[] frame, int linkType) {
    return decoder.decode(frame, 0, frame.length, frame.length, linkType, 0, p);
  }

  private static byte[] ipOf(byte[] ethernetFrame) {
    return Arrays.copyOfRange(ethernetFrame, 14, ethernetFrame.length);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
