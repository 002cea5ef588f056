package io.podflow.processor.security;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where a secret is read from: a file (a Kubernetes Secret mounted on every pod of the job) or an
 * environment variable (set on every pod). This, not the secret, is what the job's configuration
 * carries to the task managers, which read the secret when a sink opens: the secret stays out of
 * the job graph (kept by Flink's HA storage and shown in its REST API), and a rotated Secret file
 * is picked up by the next restart of a task.
 *
 * @param file the file holding the secret (a trailing newline is not part of it), or null; a name,
 *     not a {@link Path}, which is not serializable
 * @param variable the environment variable holding it, or null
 */
public record SecretSource(String file, String variable) implements Serializable {
  public SecretSource {
    if ((file == null) == (variable == null)) {
      throw new IllegalArgumentException("a secret comes from a file or a variable, one of them");
    }
  }

  public static SecretSource file(Path file) {
    return new SecretSource(file.toString(), null);
  }

  public static SecretSource variable(String name) {
    return new SecretSource(null, name);
  }

  /** Reads the secret from this process's environment or file system. */
  public Secret read() {
    return read(System.getenv());
  }

  /**
   * Reads the secret, taking variables from {@code environment}.
   *
   * @throws IllegalArgumentException naming the file or variable (never its contents) when there is
   *     no secret there
   */
  public Secret read(Map<String, String> environment) {
    String value;
    if (file != null) {
      try {
        value = Files.readString(Path.of(file), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "cannot read secret file " + file + " (" + e.getClass().getSimpleName() + ")");
      }
    } else {
      value = environment.get(variable);
    }
    value = value == null ? "" : value.strip();
    if (value.isEmpty()) {
      throw new IllegalArgumentException(this + " is empty");
    }
    return new Secret(value);
  }

  @Override
  public String toString() {
    return file != null ? "secret file " + file : "environment variable " + variable;
  }
}
