package io.podflow.schema.json;

/**
 * Canonical text of IP addresses held as network-order bytes: dotted quad for IPv4, RFC 5952 for
 * IPv6 (lower case, no leading zeros, the longest run of two or more zero groups as {@code ::}, the
 * first such run on a tie). {@link java.net.InetAddress#getHostAddress()} does not compress IPv6
 * zeros, so flows would not compare equal to what tshark, kubectl and users write.
 */
public final class IpText {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private IpText() {}

  /** Text of a 4- or 16-byte address; throws for any other length. */
  public static String format(byte[] address) {
    return switch (address.length) {
      case 4 -> ipv4(address, 0);
      case 16 -> ipv6(address);
      default ->
          throw new IllegalArgumentException(
              "an IP address has 4 or 16 bytes, not " + address.length);
    };
  }

  private static String ipv4(byte[] a, int offset) {
    return (a[offset] & 0xff)
        + "."
        + (a[offset + 1] & 0xff)
        + "."
        + (a[offset + 2] & 0xff)
        + "."
        + (a[offset + 3] & 0xff);
  }

  private static String ipv6(byte[] a) {
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j;
    }
    StringBuilder text = new StringBuilder(39);
    boolean mapped = bestStart == 0 && bestLength == 5 && groups[5] == 0xffff;
    if (mapped) {
      return text.append("::ffff:").append(ipv4(a, 12)).toString();
    }
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        text.append("::");
        i += bestLength - 1;
        continue;
      }
      if (i > 0 && i != bestStart + bestLength) {
        text.append(':');
      }
      appendHex(text, groups[i]);
    }
    return text.toString();
  }

  private static void appendHex(StringBuilder text, int group) {
    boolean started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      int digit = (group >> shift) & 0xf;
      if (digit != 0 || started || shift == 0) {
        text.append(HEX[digit]);
        started = true;
      }
    }
  }
}
