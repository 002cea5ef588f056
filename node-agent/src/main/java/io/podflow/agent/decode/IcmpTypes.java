package io.podflow.agent.decode;

/**
 * ICMP message types that come in request/reply pairs carrying an identifier. A flow folds each
 * reply onto its request type, so both directions of a ping are one flow.
 */
public final class IcmpTypes {
  private IcmpTypes() {}

  /** The message carries an echo-style identifier (bytes 4-5). */
  public static boolean hasEchoIdentifier(int ipVersion, int type) {
    if (ipVersion == 4) {
      return type == 0 || type == 8 || (type >= 13 && type <= 18);
    }
    return type == 128 || type == 129;
  }

  /** The request type a reply belongs to (reply to request), or the type itself. */
  public static int requestType(int ipVersion, int type) {
    if (ipVersion == 4) {
      return switch (type) {
        case 0 -> 8;
        case 14 -> 13;
        case 16 -> 15;
        case 18 -> 17;
        default -> type;
      };
    }
    return type == 129 ? 128 : type;
  }

  /** The message is a reply: its sender is the responder of the flow. */
  public static boolean isReply(int ipVersion, int type) {
    return requestType(ipVersion, type) != type;
  }
}
