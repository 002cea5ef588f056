package io.podflow.agent.decode;

/** The LINKTYPE_ values (pcap and pcapng headers, libpcap's DLT) that podflow decodes. */
public final class LinkType {
  /** BSD loopback: 4-byte address family in the capturing host's byte order. */
  public static final int NULL = 0;

  public static final int ETHERNET = 1;

  /** Raw IP, as some systems number it (DLT_RAW 12 on most BSDs, 14 on OpenBSD). */
  public static final int RAW_12 = 12;

  public static final int RAW_14 = 14;
  public static final int RAW = 101;

  /** OpenBSD loopback: 4-byte address family in network byte order. */
  public static final int LOOP = 108;

  /** Linux cooked capture v1: what libpcap writes when capturing on "any". */
  public static final int LINUX_SLL = 113;

  public static final int IPV4 = 228;
  public static final int IPV6 = 229;

  /** Linux cooked capture v2. */
  public static final int LINUX_SLL2 = 276;

  private LinkType() {}

  public static boolean isSupported(int linkType) {
    return switch (linkType) {
      case NULL, ETHERNET, RAW_12, RAW_14, RAW, LOOP, LINUX_SLL, IPV4, IPV6, LINUX_SLL2 -> true;
      default -> false;
    };
  }
}
