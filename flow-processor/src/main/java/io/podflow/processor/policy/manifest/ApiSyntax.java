package io.podflow.processor.policy.manifest;

import java.util.regex.Pattern;

/**
 * The API server's rules for names, label keys and values and named ports (Kubernetes' apimachinery
 * validation): a manifest it would refuse is refused here too, so that a verdict is never about an
 * object that cannot exist. Each check returns null when the text is valid, else what is wrong.
 */
final class ApiSyntax {
  private static final int DNS_LABEL_MAX = 63;
  private static final int DNS_SUBDOMAIN_MAX = 253;
  private static final int LABEL_NAME_MAX = 63;
  private static final int SERVICE_NAME_MAX = 15;

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern LABEL_NAME =
      Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
  private static final Pattern SERVICE_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])*");

  private ApiSyntax() {}

  /** A Namespace's name (RFC 1123 label). */
  static String dnsLabel(String text) {
    if (text.length() > DNS_LABEL_MAX) {
      return "must be no more than " + DNS_LABEL_MAX + " characters";
    }
    return DNS_LABEL.matcher(text).matches()
        ? null
        : "must be a lowercase RFC 1123 label (a-z, 0-9 and '-', starting and ending with a letter"
            + " or digit)";
  }

  /** A Pod's or NetworkPolicy's name, a label key's prefix (RFC 1123 subdomain). */
  static String dnsSubdomain(String text) {
    if (text.length() > DNS_SUBDOMAIN_MAX) {
      return "must be no more than " + DNS_SUBDOMAIN_MAX + " characters";
    }
    return DNS_SUBDOMAIN.matcher(text).matches()
        ? null
        : "must be a lowercase RFC 1123 subdomain (a-z, 0-9, '-' and '.', starting and ending"
            + " with a letter or digit)";
  }

  /** A label key: an optional DNS subdomain prefix and '/', then a name of up to 63 characters. */
  static String labelKey(String text) {
    int slash = text.indexOf('/');
    String name = slash < 0 ? text : text.substring(slash + 1);
    if (slash >= 0) {
      String prefix = text.substring(0, slash);
      if (prefix.isEmpty()) {
        return "has an empty prefix before '/'";
      }
      String wrong = dnsSubdomain(prefix);
      if (wrong != null) {
        return "has a prefix that " + wrong;
      }
    }
    if (name.isEmpty()) {
      return "has an empty name";
    }
    if (name.length() > LABEL_NAME_MAX) {
      return "has a name longer than " + LABEL_NAME_MAX + " characters";
    }
    return LABEL_NAME.matcher(name).matches()
        ? null
        : "must be alphanumeric, '-', '_' or '.', starting and ending with an alphanumeric"
            + " character (with an optional DNS subdomain prefix and '/')";
  }

  /** A label value: empty, or up to 63 characters of the label name's alphabet. */
  static String labelValue(String text) {
    if (text.isEmpty()) {
      return null;
    }
    if (text.length() > LABEL_NAME_MAX) {
      return "must be no more than " + LABEL_NAME_MAX + " characters";
    }
    return LABEL_NAME.matcher(text).matches()
        ? null
        : "must be empty or alphanumeric, '-', '_' or '.', starting and ending with an"
            + " alphanumeric character";
  }

  /** A named port (IANA_SVC_NAME, RFC 6335). */
  static String serviceName(String text) {
    if (text.isEmpty() || text.length() > SERVICE_NAME_MAX) {
      return "must be 1 to " + SERVICE_NAME_MAX + " characters (IANA_SVC_NAME)";
    }
    if (!SERVICE_NAME.matcher(text).matches()) {
      return "must be lowercase a-z, 0-9 and '-', starting and ending with a letter or digit"
          + " (IANA_SVC_NAME)";
    }
    if (text.contains("--")) {
      return "must not contain two hyphens in a row (IANA_SVC_NAME)";
    }
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) >= 'a' && text.charAt(i) <= 'z') {
        return null;
      }
    }
    return "must contain at least one letter (IANA_SVC_NAME)";
  }
}
