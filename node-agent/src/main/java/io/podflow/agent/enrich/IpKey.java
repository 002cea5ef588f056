package io.podflow.agent.enrich;

/**
 * An IPv4 or IPv6 address as two longs, for hashing: IPv4 addresses are held IPv4-mapped ({@code
 * ::ffff:a.b.c.d}), so both families share one table.
 */
public record IpKey(long hi, long lo) {

  public static IpKey of(byte[] address) {
    if (address.length == 4) {
      return new IpKey(0, 0xFFFF_0000_0000L | (readInt(address, 0) & 0xFFFF_FFFFL));
    }
    if (address.length != 16) {
      throw new IllegalArgumentException("an address has 4 or 16 bytes, not " + address.length);
    }
    return new IpKey(readLong(address, 0), readLong(address, 8));
  }

  /** The same from protobuf bytes, without copying them. */
  public static IpKey of(com.google.protobuf.ByteString address) {
    if (address.size() == 4) {
      return new IpKey(0, 0xFFFF_0000_0000L | (readInt(address, 0) & 0xFFFF_FFFFL));
    }
    if (address.size() != 16) {
      throw new IllegalArgumentException("an address has 4 or 16 bytes, not " + address.size());
    }
    return new IpKey(
        (readInt(address, 0) & 0xFFFF_FFFFL) << 32 | readInt(address, 4) & 0xFFFF_FFFFL,
        (readInt(address, 8) & 0xFFFF_FFFFL) << 32 | readInt(address, 12) & 0xFFFF_FFFFL);
  }

  /** The high half of {@link #of(com.google.protobuf.ByteString)}, without allocating. */
  static long hi(com.google.protobuf.ByteString address) {
    return address.size() == 4
        ? 0
        : (readInt(address, 0) & 0xFFFF_FFFFL) << 32 | readInt(address, 4) & 0xFFFF_FFFFL;
  }

  /** The low half of {@link #of(com.google.protobuf.ByteString)}, without allocating. */
  static long lo(com.google.protobuf.ByteString address) {
    return address.size() == 4
        ? 0xFFFF_0000_0000L | (readInt(address, 0) & 0xFFFF_FFFFL)
        : (readInt(address, 8) & 0xFFFF_FFFFL) << 32 | readInt(address, 12) & 0xFFFF_FFFFL;
  }

  private static int readInt(com.google.protobuf.ByteString b, int at) {
    return (b.byteAt(at) & 0xFF) << 24
        | (b.byteAt(at + 1) & 0xFF) << 16
        | (b.byteAt(at + 2) & 0xFF) << 8
        | b.byteAt(at + 3) & 0xFF;
  }

  private static int readInt(byte[] b, int at) {
    return (b[at] & 0xFF) << 24
        | (b[at + 1] & 0xFF) << 16
        | (b[at + 2] & 0xFF) << 8
        | b[at + 3] & 0xFF;
  }

  private static long readLong(byte[] b, int at) {
    return (readInt(b, at) & 0xFFFF_FFFFL) << 32 | readInt(b, at + 4) & 0xFFFF_FFFFL;
  }
}
