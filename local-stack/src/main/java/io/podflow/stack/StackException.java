package io.podflow.stack;

/** A server of the local stack could not be started, reached or stopped. */
public final class StackException extends RuntimeException {
  public StackException(String message) {
    super(message);
  }

  public StackException(String message, Throwable cause) {
    super(message, cause);
  }
}
