package io.podflow.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A certificate authority made for one test run and the server certificate it signed for {@code
 * 127.0.0.1} and {@code localhost}, in the forms the servers and clients read: PKCS12 stores for
 * Kafka and Java clients, PEM (keys in PKCS#8, as OpenSearch's security plugin wants them) for
 * OpenSearch and curl-like clients. Made with the JDK's own keytool, so no crypto library is
 * needed.
 *
 * @param caPem the CA's certificate, what clients trust
 * @param trustStore a PKCS12 store holding only the CA's certificate
 * @param serverKeyStore a PKCS12 store holding the server's key and chain (server, CA)
 * @param serverCertPem the server's certificate chain (server, CA)
 * @param serverKeyPem the server's private key, unencrypted PKCS#8
 * @param serverDn the server certificate's subject, as OpenSearch's nodes_dn names it
 */
public record LoopbackCertificates(
    Path caPem,
    Path trustStore,
    Path serverKeyStore,
    Path serverCertPem,
    Path serverKeyPem,
    String serverDn) {

  /** The password of every store made here. */
  public static final String STORE_PASSWORD = "podflow-test";

  static final String SERVER_DN = "CN=localhost,OU=podflow-test,O=podflow";
  private static final String CA_ALIAS = "ca";
  private static final String SERVER_ALIAS = "server";

  /** Makes a CA and a server certificate under {@code dir} (created if needed). */
  public static LoopbackCertificates issue(Path dir) {
    try {
      Files.createDirectories(dir);
      Path caStore = dir.resolve("ca.p12");
      Path csr = dir.resolve("server.csr");
      Path signed = dir.resolve("server-signed.pem");
      Path serverStore = dir.resolve("server.p12");
      genKeyPair(
          dir,
          caStore,
          CA_ALIAS,
          "CN=podflow test CA,O=podflow",
          "-ext",
          "bc:c",
          "-ext",
          "KU=keyCertSign,cRLSign");
      genKeyPair(dir, serverStore, SERVER_ALIAS, SERVER_DN);
      keytool(
          dir,
          "-certreq",
          "-alias",
          SERVER_ALIAS,
          "-keystore",
          serverStore.toString(),
          "-file",
          csr.toString());
      // Server and client use: the same certificate serves OpenSearch's transport layer, where
      // each node is the other's client.
      keytool(
          dir,
          "-gencert",
          "-alias",
          CA_ALIAS,
          "-keystore",
          caStore.toString(),
          "-infile",
          csr.toString(),
          "-outfile",
          signed.toString(),
          "-rfc",
          "-validity",
          "30",
          "-ext",
          "SAN=IP:127.0.0.1,DNS:localhost",
          "-ext",
          "KU=digitalSignature,keyEncipherment",
          "-ext",
          "EKU=serverAuth,clientAuth");

      KeyStore ca = load(caStore);
      X509Certificate caCert = (X509Certificate) ca.getCertificate(CA_ALIAS);
      X509Certificate serverCert;
      try (InputStream in = Files.newInputStream(signed)) {
        serverCert =
            (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      }
      KeyStore server = load(serverStore);
      Key serverKey = server.getKey(SERVER_ALIAS, STORE_PASSWORD.toCharArray());
      server.setKeyEntry(
          SERVER_ALIAS,
          serverKey,
          STORE_PASSWORD.toCharArray(),
          new Certificate[] {serverCert, caCert});
      save(server, serverStore);

      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry(CA_ALIAS, caCert);
      Path trustStore = dir.resolve("truststore.p12");
      save(trust, trustStore);

      Path caPem = dir.resolve("ca.pem");
      Files.writeString(caPem, pem("CERTIFICATE", caCert.getEncoded()));
      Path serverCertPem = dir.resolve("server.pem");
      Files.writeString(
          serverCertPem,
          pem("CERTIFICATE", serverCert.getEncoded()) + pem("CERTIFICATE", caCert.getEncoded()));
      Path serverKeyPem = dir.resolve("server-key.pem");
      // Key.getEncoded() of an RSA private key is its PKCS#8 form.
      Files.writeString(serverKeyPem, pem("PRIVATE KEY", serverKey.getEncoded()));
      Files.delete(csr);
      Files.delete(signed);
      return new LoopbackCertificates(
          caPem, trustStore, serverStore, serverCertPem, serverKeyPem, SERVER_DN);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write certificates under " + dir, e);
    } catch (GeneralSecurityException e) {
      throw new StackException("could not assemble the test certificates", e);
    }
  }

  /** A TLS context that trusts only this run's CA. */
  public SSLContext sslContext() {
    return sslContextTrusting(caPem);
  }

  /** A TLS context that trusts only the CA certificate in {@code caPem}. */
  public static SSLContext sslContextTrusting(Path caPem) {
    try (InputStream in = Files.newInputStream(caPem)) {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trust.setCertificateEntry("ca-" + i++, c);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new StackException("cannot make a TLS context trusting " + caPem, e);
    }
  }

  /** Kafka client properties that verify the broker against this CA. */
  public Map<String, String> kafkaTrustProperties() {
    return Map.of(
        "ssl.truststore.location",
        trustStore.toString(),
        "ssl.truststore.password",
        STORE_PASSWORD,
        "ssl.truststore.type",
        "PKCS12");
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  private static KeyStore load(Path store) throws IOException, GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, STORE_PASSWORD.toCharArray());
    }
    return ks;
  }

  private static void save(KeyStore ks, Path store) throws IOException, GeneralSecurityException {
    try (OutputStream out = Files.newOutputStream(store)) {
      ks.store(out, STORE_PASSWORD.toCharArray());
    }
  }

  private static void genKeyPair(
      Path dir, Path store, String alias, String dn, String... extensions) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "-genkeypair",
                "-alias",
                alias,
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "30",
                "-dname",
                dn,
                "-keystore",
                store.toString()));
    args.addAll(List.of(extensions));
    keytool(dir, args.toArray(String[]::new));
  }

  private static void keytool(Path dir, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    command.addAll(List.of("-storetype", "PKCS12", "-storepass", STORE_PASSWORD, "-noprompt"));
    ManagedProcess tool =
        ManagedProcess.start("keytool", command, dir, Map.of(), dir.resolve("keytool.log"), null);
    int exit = tool.awaitExit(Duration.ofSeconds(60));
    if (exit != 0) {
      throw new StackException(
          "keytool " + args[0] + " failed (exit " + exit + "):\n" + tool.logTail(20));
    }
  }
}
