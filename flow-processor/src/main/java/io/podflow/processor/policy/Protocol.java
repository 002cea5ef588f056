package io.podflow.processor.policy;

/** The protocols NetworkPolicy ports name (TCP when a port gives none). */
public enum Protocol {
  TCP,
  UDP,
  SCTP;

  /** TCP, UDP or SCTP from a manifest or a flow ("tcp" too), or null for anything else. */
  public static Protocol parse(String text) {
    if (text == null) {
      return null;
    }
    return switch (text.toUpperCase(java.util.Locale.ROOT)) {
      case "TCP" -> TCP;
      case "UDP" -> UDP;
      case "SCTP" -> SCTP;
      default -> null;
    };
  }
}
