package io.podflow.processor.security;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Self-signed certificates for 127.0.0.1, made with the JDK's keytool, for TLS tests. */
public final class TestCa {
  public static final String PASSWORD = "podflow-test";

  /**
   * @param keyStore PKCS12 with the key and certificate, password {@link #PASSWORD}
   * @param pem the certificate alone, PEM: the CA file a client trusts
   */
  public record Certificate(Path keyStore, Path pem) {}

  private TestCa() {}

  public static Certificate selfSigned(Path dir, String name) throws Exception {
    Path keyStore = dir.resolve(name + ".p12");
    Path pem = dir.resolve(name + ".pem");
    keytool(
        "-genkeypair",
        "-alias",
        name,
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-validity",
        "2",
        "-dname",
        "CN=127.0.0.1",
        "-ext",
        "SAN=IP:127.0.0.1",
        "-storetype",
        "PKCS12",
        "-keystore",
        keyStore.toString(),
        "-storepass",
        PASSWORD);
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        name,
        "-keystore",
        keyStore.toString(),
        "-storepass",
        PASSWORD,
        "-file",
        pem.toString());
    return new Certificate(keyStore, pem);
  }

  private static void keytool(String... args) throws Exception {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("keytool " + args[0] + " failed: " + out);
    }
  }
}
