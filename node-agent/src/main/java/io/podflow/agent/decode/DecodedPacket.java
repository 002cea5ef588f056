package io.podflow.agent.decode;

/**
 * The header fields of one packet that flows need, filled in place by {@link PacketDecoder}. One
 * instance is reused for every packet, so decoding allocates nothing. Addresses are held as two
 * longs (network order, big-endian): IPv4 in {@code lo}'s low 32 bits with {@code hi} 0.
 */
public final class DecodedPacket {
  /** Marks a field the packet did not carry (port, flags, ICMP part). */
  public static final int ABSENT = -1;

  public long timestampNanos;
  public int wireLength;

  public int ipVersion;
  public int protocol;
  public long srcHi;
  public long srcLo;
  public long dstHi;
  public long dstLo;

  /** IP-layer bytes as the header claims them (IPv4 total length; IPv6 payload length + 40). */
  public long ipBytes;

  public int srcPort;
  public int dstPort;

  /** TCP flag byte (FIN 0x01 ... CWR 0x80), or ABSENT. */
  public int tcpFlags;

  public int icmpType;
  public int icmpCode;

  /** Identifier of echo-style ICMP messages, or ABSENT. */
  public int icmpId;

  /** A fragment of a larger datagram (IPv4 MF or offset, IPv6 Fragment header with M or offset). */
  public boolean fragment;

  /** Offset 0: carries the transport header. */
  public boolean firstFragment;

  /** IPv4 Identification or IPv6 Fragment Identification. */
  public long fragmentId;

  /** The transport header was cut short (by the capture or by the IP length). */
  public boolean transportTruncated;

  void reset(long timestampNanos, int wireLength) {
    this.timestampNanos = timestampNanos;
    this.wireLength = wireLength;
    ipVersion = 0;
    protocol = 0;
    srcHi = srcLo = dstHi = dstLo = 0;
    ipBytes = 0;
    srcPort = dstPort = ABSENT;
    tcpFlags = ABSENT;
    icmpType = icmpCode = icmpId = ABSENT;
    fragment = firstFragment = false;
    fragmentId = 0;
    transportTruncated = false;
  }

  /** True for ICMP (IPv4) and ICMPv6 (IPv6). */
  public boolean isIcmp() {
    return (ipVersion == 4 && protocol == 1) || (ipVersion == 6 && protocol == 58);
  }

  /** The fragment carries no transport header of its own. */
  public boolean isLaterFragment() {
    return fragment && !firstFragment;
  }
}
