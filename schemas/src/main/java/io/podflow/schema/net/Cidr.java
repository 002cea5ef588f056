package io.podflow.schema.net;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 or IPv6 CIDR block, parsed once; matching is on address bytes. */
public record Cidr(byte[] network, int prefixLength, String text) {

  /** Parses {@code 10.0.0.0/16} or {@code fd00::/8}; a malformed block is an error. */
  public static Cidr parse(String text) {
    int slash = text == null ? -1 : text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("'" + text + "' is not a CIDR block (address/prefix)");
    }
    String address = text.substring(0, slash);
    byte[] bytes;
    int prefix;
    try {
      if (!address.matches("[0-9a-fA-F:.]+")) {
        throw new IllegalArgumentException("'" + text + "' is not a CIDR block");
      }
      bytes = InetAddress.getByName(address).getAddress();
      prefix = Integer.parseInt(text.substring(slash + 1));
    } catch (UnknownHostException | NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is not a CIDR block", e);
    }
    if (prefix < 0 || prefix > bytes.length * 8) {
      throw new IllegalArgumentException("'" + text + "' has a prefix length out of range");
    }
    return new Cidr(bytes, prefix, text);
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
