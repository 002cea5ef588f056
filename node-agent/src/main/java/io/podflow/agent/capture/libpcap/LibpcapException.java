package io.podflow.agent.capture.libpcap;

/** libpcap reported an error (device gone, file unreadable, ...). */
public final class LibpcapException extends RuntimeException {
  public LibpcapException(String message) {
    super(message);
  }

  public LibpcapException(String message, Throwable cause) {
    super(message, cause);
  }
}
