package io.podflow.agent.enrich;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Address literals from the API (IPv4 dotted quads, IPv6 text) as bytes, never a DNS lookup. */
final class IpLiterals {
  private IpLiterals() {}

  /** The address's bytes, or null when the text is not an IP address literal ("None", ""). */
  static byte[] parse(String text) {
    if (text == null || text.isEmpty() || text.length() > 45) {
      return null;
    }
    boolean colon = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (c == ':') {
        colon = true;
      } else if (!hex && c != '.') {
        return null; // a name, which InetAddress would try to resolve
      }
    }
    if (!colon && !text.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      return null;
    }
    try {
      return InetAddress.getByName(text).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
