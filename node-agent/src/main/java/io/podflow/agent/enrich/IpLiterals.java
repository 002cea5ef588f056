package io.podflow.agent.enrich;

import io.podflow.schema.net.IpLiteral;

/** Address literals from the API (IPv4 dotted quads, IPv6 text) as bytes, never a DNS lookup. */
final class IpLiterals {
  private IpLiterals() {}

  /** The address's bytes, or null when the text is not an IP address literal ("None", ""). */
  static byte[] parse(String text) {
    return IpLiteral.parse(text);
  }
}
