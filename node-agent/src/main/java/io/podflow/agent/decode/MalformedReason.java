package io.podflow.agent.decode;

import java.util.Locale;

/**
 * Why a frame was dropped as malformed; each is a value of the {@code reason} label of {@code
 * podflow_frames_malformed} ({@link #label()}).
 */
public enum MalformedReason {
  /** Shorter than its link-layer header (including VLAN tags). */
  LINK_HEADER_TRUNCATED,
  /** The link layer says IP but the version nibble is neither 4 nor 6 (or not the one said). */
  IP_VERSION_INVALID,
  /** IPv4 header length below 5 words, or a total length shorter than the header. */
  IPV4_HEADER_INVALID,
  /** Fewer header bytes captured than the IP header needs. */
  IP_HEADER_TRUNCATED,
  /** The capture's link type is not one podflow decodes. */
  LINK_TYPE_UNSUPPORTED;

  /** The metric label: the name in lower case ({@code link_header_truncated}). */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
