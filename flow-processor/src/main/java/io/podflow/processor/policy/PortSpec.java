package io.podflow.processor.policy;

import java.util.Objects;

/**
 * One entry of a rule's {@code ports}: a protocol and a port by number (with an optional endPort
 * for a range), by name (resolved against the destination pod's container ports), or none (every
 * port of the protocol).
 */
public record PortSpec(Protocol protocol, Integer port, String name, Integer endPort) {
  public PortSpec {
    Objects.requireNonNull(protocol, "protocol");
    if (port != null && name != null) {
      throw new IllegalArgumentException("a port is a number or a name, not both");
    }
    if (port != null && (port < 1 || port > 65535)) {
      throw new IllegalArgumentException("port " + port + " is out of range 1-65535");
    }
    if (endPort != null) {
      if (port == null) {
        throw new IllegalArgumentException("endPort needs a numeric port");
      }
      if (endPort < port || endPort > 65535) {
        throw new IllegalArgumentException(
            "endPort " + endPort + " must be between port " + port + " and 65535");
      }
    }
  }

  boolean matches(Protocol wanted, int destinationPort, Pod destination) {
    if (protocol != wanted) {
      return false;
    }
    if (name != null) {
      return destination != null && destination.containerPort(name, protocol) == destinationPort;
    }
    if (port == null) {
      return true;
    }
    // Unboxed once per rule: the boxed components are for the record's readers.
    int first = port;
    int last = endPort == null ? first : endPort;
    return destinationPort >= first && destinationPort <= last;
  }

  @Override
  public String toString() {
    String p =
        name != null
            ? name
            : port == null ? "any port" : endPort == null ? port.toString() : port + "-" + endPort;
    return p + "/" + protocol;
  }
}
