package io.podflow.deploy;

/** The versions the build resolved, handed to the tests by the module's pom. */
final class Versions {
  private Versions() {}

  static String get(String property) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          "system property " + property + " is not set (deploy-tests/pom.xml sets it)");
    }
    return value;
  }

  /** The project's version without -SNAPSHOT: the tag of the images deploy/ names. */
  static String imageTag() {
    return get("podflow.version").replace("-SNAPSHOT", "");
  }

  /** Flink's version as the operator's spec.flinkVersion names it: 2.2.1 is v2_2. */
  static String flinkVersionEnum() {
    String[] parts = get("flink.version").split("\\.");
    return "v" + parts[0] + "_" + parts[1];
  }
}
