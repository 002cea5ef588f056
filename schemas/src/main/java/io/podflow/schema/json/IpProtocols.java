package io.podflow.schema.json;

/**
 * IANA protocol numbers to their registry keywords, lower case, as ECS {@code network.transport}
 * expects them ("tcp", "udp", "ipv6-icmp"). Numbers without a common keyword print as {@code
 * "ip-proto-N"}.
 */
public final class IpProtocols {
  private static final String[] NAMES = new String[256];

  static {
    for (int i = 0; i < NAMES.length; i++) {
      NAMES[i] = "ip-proto-" + i;
    }
    NAMES[0] = "hopopt";
    NAMES[1] = "icmp";
    NAMES[2] = "igmp";
    NAMES[4] = "ipv4";
    NAMES[6] = "tcp";
    NAMES[8] = "egp";
    NAMES[17] = "udp";
    NAMES[41] = "ipv6";
    NAMES[43] = "ipv6-route";
    NAMES[44] = "ipv6-frag";
    NAMES[46] = "rsvp";
    NAMES[47] = "gre";
    NAMES[50] = "esp";
    NAMES[51] = "ah";
    NAMES[58] = "ipv6-icmp";
    NAMES[59] = "ipv6-nonxt";
    NAMES[60] = "ipv6-opts";
    NAMES[88] = "eigrp";
    NAMES[89] = "ospf";
    NAMES[94] = "ipip";
    NAMES[97] = "etherip";
    NAMES[103] = "pim";
    NAMES[112] = "vrrp";
    NAMES[115] = "l2tp";
    NAMES[132] = "sctp";
    NAMES[135] = "mobility-header";
    NAMES[136] = "udplite";
    NAMES[137] = "mpls-in-ip";
    NAMES[253] = "experimentation-253";
    NAMES[254] = "experimentation-254";
  }

  private IpProtocols() {}

  /** The keyword for an IANA protocol number; never null. */
  public static String name(int protocol) {
    if (protocol < 0 || protocol >= NAMES.length) {
      throw new IllegalArgumentException("not an IP protocol number: " + protocol);
    }
    return NAMES[protocol];
  }
}
