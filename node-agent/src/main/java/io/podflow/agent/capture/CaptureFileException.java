package io.podflow.agent.capture;

/** A capture file that cannot be read: not pcap or pcapng, or damaged past its header. */
public final class CaptureFileException extends RuntimeException {
  public CaptureFileException(String message) {
    super(message);
  }

  public CaptureFileException(String message, Throwable cause) {
    super(message, cause);
  }
}
