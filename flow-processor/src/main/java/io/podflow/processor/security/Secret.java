package io.podflow.processor.security;

/**
 * A password or token, read where it is used and never printed: {@link #toString} says {@code ***},
 * so a secret that ends up in a log line, an exception or a record's text shows nothing. Not
 * serializable: what the job ships to its task managers is where to read it ({@link SecretSource}).
 */
public final class Secret {
  private final String value;

  Secret(String value) {
    this.value = value;
  }

  /** The secret itself, for the one call that needs it. */
  public String reveal() {
    return value;
  }

  @Override
  public String toString() {
    return "***";
  }
}
