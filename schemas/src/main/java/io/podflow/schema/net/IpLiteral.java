package io.podflow.schema.net;

/**
 * IP address literals read by hand, as the Kubernetes API server reads them (Go's strict parser):
 * IPv4 as four decimal parts without leading zeros, IPv6 as RFC 4291 text (hex groups, one {@code
 * ::}, an optional dotted quad at the end), no zone. Never a host name and so never a DNS lookup,
 * which {@link java.net.InetAddress#getByName} would do for anything that is not a literal ({@code
 * face.b00c}, {@code 9web}); and never the legacy forms it takes ({@code 10.1} for 10.0.0.1, octal
 * {@code 010.001.0.0}).
 */
public final class IpLiteral {
  /** The longest IPv6 text: eight full groups, or six and a dotted quad. */
  private static final int MAX_TEXT = 45;

  private IpLiteral() {}

  /** The address's 4 or 16 bytes, or null when {@code text} is no IP literal. */
  public static byte[] parse(String text) {
    if (text == null || text.isEmpty() || text.length() > MAX_TEXT) {
      return null;
    }
    return text.indexOf(':') >= 0 ? ipv6(text) : ipv4(text, 0, text.length());
  }

  /** Like {@link #parse}, but a text that is no literal is an error saying so. */
  public static byte[] require(String text) {
    byte[] bytes = parse(text);
    if (bytes == null) {
      throw new IllegalArgumentException("'" + text + "' is not an IP address");
    }
    return bytes;
  }

  private static byte[] ipv4(String text, int from, int to) {
    byte[] out = new byte[4];
    int part = 0;
    int i = from;
    while (part < 4) {
      int start = i;
      int value = 0;
      while (i < to && i - start < 4 && isDigit(text.charAt(i))) {
        value = value * 10 + (text.charAt(i) - '0');
        i++;
      }
      int digits = i - start;
      if (digits == 0 || digits > 3 || value > 255 || (digits > 1 && text.charAt(start) == '0')) {
        return null;
      }
      out[part++] = (byte) value;
      if (part < 4) {
        if (i >= to || text.charAt(i) != '.') {
          return null;
        }
        i++;
      }
    }
    return i == to ? out : null;
  }

  private static byte[] ipv6(String text) {
    byte[] out = new byte[16];
    int length = text.length();
    int groups = 0; // 16-bit groups written to out
    int ellipsis = -1; // the group index where "::" stands
    int i = 0;
    if (text.startsWith("::")) {
      ellipsis = 0;
      i = 2;
      if (i == length) {
        return out;
      }
    }
    while (i < length) {
      if (groups == 8) {
        return null;
      }
      int start = i;
      int value = 0;
      while (i < length && i - start < 5 && hex(text.charAt(i)) >= 0) {
        value = (value << 4) | hex(text.charAt(i));
        i++;
      }
      int digits = i - start;
      if (i < length && text.charAt(i) == '.') {
        // A dotted quad ends the text and fills the last two groups.
        if (groups > 6 || digits == 0) {
          return null;
        }
        byte[] v4 = ipv4(text, start, length);
        if (v4 == null) {
          return null;
        }
        System.arraycopy(v4, 0, out, 2 * groups, 4);
        groups += 2;
        i = length;
        break;
      }
      if (digits == 0 || digits > 4) {
        return null;
      }
      out[2 * groups] = (byte) (value >>> 8);
      out[2 * groups + 1] = (byte) value;
      groups++;
      if (i == length) {
        break;
      }
      if (text.charAt(i) != ':') {
        return null; // a zone (%eth0), a bracket, a letter past f: no literal
      }
      i++;
      if (i < length && text.charAt(i) == ':') {
        if (ellipsis >= 0) {
          return null; // "::" at most once
        }
        ellipsis = groups;
        i++;
        if (i == length) {
          break;
        }
      } else if (i == length) {
        return null; // a single trailing ':'
      }
    }
    if (ellipsis < 0) {
      return groups == 8 ? out : null;
    }
    if (groups == 8) {
      return null; // "::" must stand for at least one group
    }
    // Move the groups after "::" to the end; the gap between is zeros.
    int tail = groups - ellipsis;
    System.arraycopy(out, 2 * ellipsis, out, 16 - 2 * tail, 2 * tail);
    java.util.Arrays.fill(out, 2 * ellipsis, 16 - 2 * tail, (byte) 0);
    return out;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }
}
