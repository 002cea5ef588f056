package io.podflow.agent.decode;

/**
 * What became of a frame. Every frame ends in exactly one outcome, so the counts always add up to
 * the frames read.
 */
public enum DecodeOutcome {
  /** An IP packet: it belongs to a flow. */
  IP,
  /** A well-formed frame that carries no IP (ARP, STP, LLDP, unknown EtherType, ...). */
  NOT_IP,
  /** A frame too damaged to find an IP header in; {@link MalformedReason} says why. */
  MALFORMED
}
