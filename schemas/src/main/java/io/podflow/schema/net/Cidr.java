package io.podflow.schema.net;

/** An IPv4 or IPv6 CIDR block, parsed once; matching is on address bytes. */
public record Cidr(byte[] network, int prefixLength, String text) {

  /**
   * Parses {@code 10.0.0.0/16} or {@code fd00::/8} as the API server does: the address an {@link
   * IpLiteral} (never a host name, never looked up), the prefix a decimal length without sign or
   * leading zeros, at most the address's bits. A malformed block is an error saying which part.
   */
  public static Cidr parse(String text) {
    int slash = text == null ? -1 : text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("'" + text + "' is not a CIDR block (address/prefix)");
    }
    byte[] bytes = IpLiteral.parse(text.substring(0, slash));
    if (bytes == null) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a CIDR block: '"
              + text.substring(0, slash)
              + "' is not an IP address");
    }
    int prefix = prefixLength(text.substring(slash + 1));
    if (prefix < 0 || prefix > bytes.length * 8) {
      throw new IllegalArgumentException(
          "'" + text + "' has a prefix length out of range (0 to " + bytes.length * 8 + ")");
    }
    return new Cidr(bytes, prefix, text);
  }

  /** The prefix's value, or -1 for anything but 1 to 3 decimal digits without a leading zero. */
  private static int prefixLength(String digits) {
    if (digits.isEmpty()
        || digits.length() > 3
        || (digits.length() > 1 && digits.charAt(0) == '0')) {
      return -1;
    }
    int value = 0;
    for (int i = 0; i < digits.length(); i++) {
      char c = digits.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  public boolean contains(byte[] address) {
    if (address.length != network.length) {
      return false;
    }
    int full = prefixLength / 8;
    for (int i = 0; i < full; i++) {
      if (address[i] != network[i]) {
        return false;
      }
    }
    int rest = prefixLength % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (address[full] & mask) == (network[full] & mask);
  }

  @Override
  public String toString() {
    return text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c && c.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }
}
