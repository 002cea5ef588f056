package io.podflow.agent.enrich;

/** An address, a port and an IANA protocol number: how a Service or its backend is reached. */
public record AddressPort(IpKey ip, int port, int protocol) {

  public static AddressPort of(byte[] address, int port, int protocol) {
    return new AddressPort(IpKey.of(address), port, protocol);
  }

  public static Integer nodePortKey(int port, int protocol) {
    return port << 8 | protocol;
  }
}
