package io.podflow.processor.security;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS that trusts the certificate authorities of a PEM file (a cluster's CA, as cert-manager or an
 * operator writes it into a Secret's {@code ca.crt}) and nothing else; host names are checked by
 * the HTTP clients as usual.
 */
public final class PemTrust {
  private PemTrust() {}

  /**
   * An SSL context trusting the certificates in {@code caFile}.
   *
   * @throws IllegalArgumentException naming the file when it holds no certificate
   */
  public static SSLContext sslContext(Path caFile) {
    try (InputStream in = Files.newInputStream(caFile)) {
      Collection<? extends Certificate> certificates =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certificates.isEmpty()) {
        throw new IllegalArgumentException("no certificate in CA file " + caFile);
      }
      KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
      trusted.load(null, null);
      int i = 0;
      for (Certificate certificate : certificates) {
        trusted.setCertificateEntry("ca-" + i++, certificate);
      }
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read CA file " + caFile + " (" + e.getClass().getSimpleName() + ")");
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "CA file " + caFile + " is not PEM certificates: " + e.getMessage());
    }
  }
}
