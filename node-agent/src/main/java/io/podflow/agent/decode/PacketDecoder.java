package io.podflow.agent.decode;

import static io.podflow.agent.decode.Bytes.u16;
import static io.podflow.agent.decode.Bytes.u32;
import static io.podflow.agent.decode.Bytes.u64;
import static io.podflow.agent.decode.Bytes.u8;

/**
 * Decodes the headers flows need from a raw frame, in place and without allocating: link layer
 * (Ethernet with any number of 802.1Q / 802.1ad tags, Linux cooked v1 and v2, raw IP, BSD
 * loopback), the outer IPv4 or IPv6 header (IPv6 extension headers walked), and TCP, UDP, SCTP,
 * ICMP or ICMPv6. Tunnels (GRE, IP-in-IP, VXLAN, Geneve) are keyed on their outer header: the inner
 * packet is payload, as it is for every flow meter that sits where the tunnel is visible.
 *
 * <p>What counts as an IP packet, and what each field holds for damaged or truncated headers,
 * follows tshark 4.0 (see node-agent/DESIGN.md), so flows match the reference tables exactly.
 * Nothing here throws for any input bytes: bad input ends as {@link DecodeOutcome#NOT_IP} or {@link
 * DecodeOutcome#MALFORMED} with a {@link MalformedReason}.
 *
 * <p>Not thread-safe: one decoder per capture thread.
 */
public final class PacketDecoder {
  private static final int ETHERTYPE_IPV4 = 0x0800;
  private static final int ETHERTYPE_IPV6 = 0x86dd;
  private static final int ETHERTYPE_VLAN = 0x8100;
  private static final int ETHERTYPE_QINQ = 0x88a8;
  private static final int ETHERTYPE_QINQ_OLD = 0x9100;

  private MalformedReason malformedReason;

  /** Why the last frame was {@link DecodeOutcome#MALFORMED}; undefined after other outcomes. */
  public MalformedReason malformedReason() {
    return malformedReason;
  }

  /**
   * Decodes the frame in {@code frame[offset, offset + capturedLength)}.
   *
   * @param wireLength the frame's length on the wire (at least the captured length)
   */
  public DecodeOutcome decode(
      byte[] frame,
      int offset,
      int capturedLength,
      int wireLength,
      int linkType,
      long timestampNanos,
      DecodedPacket packet) {
    packet.reset(timestampNanos, wireLength);
    int end = offset + capturedLength;
    return switch (linkType) {
      case LinkType.ETHERNET -> ethernet(frame, offset, end, packet);
      case LinkType.RAW, LinkType.RAW_12, LinkType.RAW_14 -> rawIp(frame, offset, end, 0, packet);
      // Like EtherType IPv4, tshark lets the version nibble decide (rule E1); LINKTYPE_IPV6
      // insists on version 6 like EtherType IPv6 (rule E2).
      case LinkType.IPV4 -> rawIp(frame, offset, end, offset, packet);
      case LinkType.IPV6 -> ipExpecting(6, frame, offset, end, offset, packet);
      case LinkType.LINUX_SLL ->
          offset + 16 > end
              ? malformed(MalformedReason.LINK_HEADER_TRUNCATED)
              : etherType(frame, u16(frame, offset + 14), offset + 16, end, offset, packet);
      case LinkType.LINUX_SLL2 ->
          offset + 20 > end
              ? malformed(MalformedReason.LINK_HEADER_TRUNCATED)
              : etherType(frame, u16(frame, offset), offset + 20, end, offset, packet);
      case LinkType.NULL, LinkType.LOOP -> loopback(frame, offset, end, linkType, packet);
      default -> malformed(MalformedReason.LINK_TYPE_UNSUPPORTED);
    };
  }

  private DecodeOutcome ethernet(byte[] b, int offset, int end, DecodedPacket p) {
    if (offset + 14 > end) {
      return malformed(MalformedReason.LINK_HEADER_TRUNCATED);
    }
    int type = u16(b, offset + 12);
    if (type < 0x0600) {
      return DecodeOutcome.NOT_IP; // 802.3 length field: LLC (STP, CDP, ...)
    }
    return etherType(b, type, offset + 14, end, offset, p);
  }

  private DecodeOutcome etherType(
      byte[] b, int type, int position, int end, int frameStart, DecodedPacket p) {
    int pos = position;
    while (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD) {
      if (pos + 4 > end) {
        return malformed(MalformedReason.LINK_HEADER_TRUNCATED);
      }
      type = u16(b, pos + 2);
      pos += 4;
    }
    if (type == ETHERTYPE_IPV4) {
      // tshark decodes version 6 behind EtherType IPv4 as IPv6 (rule E1).
      return rawIp(b, pos, end, frameStart, p);
    }
    if (type == ETHERTYPE_IPV6) {
      return ipExpecting(6, b, pos, end, frameStart, p);
    }
    return DecodeOutcome.NOT_IP;
  }

  private DecodeOutcome loopback(byte[] b, int offset, int end, int linkType, DecodedPacket p) {
    if (offset + 4 > end) {
      return malformed(MalformedReason.LINK_HEADER_TRUNCATED);
    }
    long family = u32(b, offset);
    if (linkType == LinkType.NULL && (family & 0xffff) == 0) {
      family = Long.reverseBytes(family) >>> 32; // written in the capturing host's byte order
    }
    if (family == 2) {
      return ipExpecting(4, b, offset + 4, end, offset, p);
    }
    if (family == 10 || family == 24 || family == 28 || family == 30) {
      return ipExpecting(6, b, offset + 4, end, offset, p);
    }
    return DecodeOutcome.NOT_IP;
  }

  /** The version nibble decides (raw IP link types, and EtherType IPv4 per rule E1). */
  private DecodeOutcome rawIp(byte[] b, int pos, int end, int frameStart, DecodedPacket p) {
    if (pos >= end) {
      return malformed(MalformedReason.IP_HEADER_TRUNCATED);
    }
    int version = u8(b, pos) >> 4;
    if (version == 4) {
      return ipv4(b, pos, end, frameStart, p);
    }
    if (version == 6) {
      return ipv6(b, pos, end, p);
    }
    return malformed(MalformedReason.IP_VERSION_INVALID);
  }

  private DecodeOutcome ipExpecting(
      int version, byte[] b, int pos, int end, int frameStart, DecodedPacket p) {
    if (pos >= end) {
      return malformed(MalformedReason.IP_HEADER_TRUNCATED);
    }
    if (u8(b, pos) >> 4 != version) {
      return malformed(MalformedReason.IP_VERSION_INVALID);
    }
    return version == 4 ? ipv4(b, pos, end, frameStart, p) : ipv6(b, pos, end, p);
  }

  private DecodeOutcome ipv4(byte[] b, int pos, int end, int frameStart, DecodedPacket p) {
    int headerLength = (u8(b, pos) & 0x0f) * 4;
    if (headerLength < 20) {
      return malformed(MalformedReason.IPV4_HEADER_INVALID);
    }
    if (pos + 4 > end) {
      return malformed(MalformedReason.IP_HEADER_TRUNCATED);
    }
    int totalLength = u16(b, pos + 2);
    if (totalLength != 0 && totalLength < headerLength) {
      return malformed(MalformedReason.IPV4_HEADER_INVALID);
    }
    if (pos + headerLength > end) {
      return malformed(MalformedReason.IP_HEADER_TRUNCATED);
    }
    p.ipVersion = 4;
    p.protocol = u8(b, pos + 9);
    p.srcLo = u32(b, pos + 12);
    p.dstLo = u32(b, pos + 16);
    // Total length 0 comes from TSO/GSO captures: the datagram is what the wire carried.
    p.ipBytes = totalLength != 0 ? totalLength : p.wireLength - (pos - frameStart);
    int flagsAndOffset = u16(b, pos + 6);
    boolean moreFragments = (flagsAndOffset & 0x2000) != 0;
    int fragmentOffset = flagsAndOffset & 0x1fff;
    p.fragment = moreFragments || fragmentOffset != 0;
    p.firstFragment = fragmentOffset == 0;
    p.fragmentId = u16(b, pos + 4);
    if (fragmentOffset == 0) {
      transport(b, pos + headerLength, availableEnd(pos, p.ipBytes, end), p);
    }
    return DecodeOutcome.IP;
  }

  private DecodeOutcome ipv6(byte[] b, int pos, int end, DecodedPacket p) {
    if (pos + 40 > end) {
      return malformed(MalformedReason.IP_HEADER_TRUNCATED);
    }
    p.ipVersion = 6;
    p.srcHi = u64(b, pos + 8);
    p.srcLo = u64(b, pos + 16);
    p.dstHi = u64(b, pos + 24);
    p.dstLo = u64(b, pos + 32);
    int payloadLength = u16(b, pos + 4);
    int next = u8(b, pos + 6);
    int cursor = pos + 40;
    p.ipBytes = 40L + payloadLength;
    if (payloadLength == 0 && next == 0) {
      long jumbo = jumboLength(b, cursor, end);
      if (jumbo >= 0) {
        p.ipBytes = 40L + jumbo;
      }
    }
    int available = availableEnd(pos, p.ipBytes, end);
    boolean fragmentSeen = false;
    while (next == 0 || next == 43 || next == 44 || next == 60) {
      if (next == 44) {
        if (cursor + 8 > available) {
          break;
        }
        if (!fragmentSeen) {
          fragmentSeen = true;
          int offsetAndFlags = u16(b, cursor + 2);
          int fragmentOffset = offsetAndFlags >>> 3;
          p.fragment = (offsetAndFlags & 1) != 0 || fragmentOffset != 0;
          p.firstFragment = fragmentOffset == 0;
          p.fragmentId = u32(b, cursor + 4);
        }
        next = u8(b, cursor);
        cursor += 8;
        if (p.fragment && !p.firstFragment) {
          break; // what follows a later fragment's Fragment header is payload
        }
      } else {
        if (cursor + 2 > available) {
          break;
        }
        int length = (u8(b, cursor + 1) + 1) * 8;
        next = u8(b, cursor);
        cursor += length;
      }
    }
    p.protocol = next;
    if (!p.isLaterFragment()) {
      transport(b, cursor, available, p);
    }
    return DecodeOutcome.IP;
  }

  /** The Jumbo Payload option of a Hop-by-Hop header at {@code hbh}, or -1. */
  private static long jumboLength(byte[] b, int hbh, int end) {
    if (hbh + 2 > end) {
      return -1;
    }
    int optionsEnd = Math.min(end, hbh + (u8(b, hbh + 1) + 1) * 8);
    int option = hbh + 2;
    while (option < optionsEnd) {
      int type = u8(b, option);
      if (type == 0) { // Pad1
        option++;
        continue;
      }
      if (option + 2 > optionsEnd) {
        return -1;
      }
      int length = u8(b, option + 1);
      if (type == 0xc2 && length == 4 && option + 6 <= optionsEnd) {
        return u32(b, option + 2);
      }
      option += 2 + length;
    }
    return -1;
  }

  /** The end of the bytes both captured and inside the length the IP header declares. */
  private static int availableEnd(int ipStart, long ipBytes, int end) {
    return (int) Math.min(end, ipStart + ipBytes);
  }

  private static void transport(byte[] b, int l4, int available, DecodedPacket p) {
    int length = available - l4;
    switch (p.protocol) {
      case 6 -> {
        ports(b, l4, length, 4, p);
        if (length >= 16 && (u8(b, l4 + 12) >> 4) >= 5) {
          p.tcpFlags = u8(b, l4 + 13);
        }
        p.transportTruncated = length < 20;
      }
      case 17 -> {
        ports(b, l4, length, 4, p);
        p.transportTruncated = length < 8;
      }
      case 132 -> {
        ports(b, l4, length, 12, p);
        p.transportTruncated = length < 12;
      }
      case 1 -> {
        if (p.ipVersion == 4) {
          icmpv4(b, l4, length, p);
        }
      }
      case 58 -> {
        if (p.ipVersion == 6) {
          icmpv6(b, l4, length, p);
        }
      }
      default -> {
        // GRE, ESP, IP-in-IP, ...: keyed on addresses and protocol only.
      }
    }
  }

  private static void ports(byte[] b, int l4, int length, int needed, DecodedPacket p) {
    if (length >= needed) {
      p.srcPort = u16(b, l4);
      p.dstPort = u16(b, l4 + 2);
    }
  }

  private static void icmpv4(byte[] b, int l4, int length, DecodedPacket p) {
    if (length < 6) {
      p.transportTruncated = true;
      return; // tshark reports no type, code or identifier (rule E9)
    }
    p.icmpType = u8(b, l4);
    p.icmpCode = u8(b, l4 + 1);
    if (IcmpTypes.hasEchoIdentifier(4, p.icmpType)) {
      p.icmpId = u16(b, l4 + 4);
    }
    p.transportTruncated = length < 8;
  }

  private static void icmpv6(byte[] b, int l4, int length, DecodedPacket p) {
    if (length >= 1) {
      p.icmpType = u8(b, l4);
    }
    if (length >= 2) {
      p.icmpCode = u8(b, l4 + 1);
    }
    if (length >= 6 && IcmpTypes.hasEchoIdentifier(6, p.icmpType)) {
      p.icmpId = u16(b, l4 + 4);
    }
    p.transportTruncated = length < 8;
  }

  private DecodeOutcome malformed(MalformedReason reason) {
    malformedReason = reason;
    return DecodeOutcome.MALFORMED;
  }
}
