package io.podflow.stack;

import java.util.List;
import java.util.Set;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * What one podflow component may do in Kafka, as data: its SCRAM user and the operations it is
 * allowed on each resource. The secured test broker grants exactly these, and the same lists can be
 * checked against the KafkaUser manifests in deploy/.
 *
 * @param user the component's SCRAM user (and Kafka principal {@code User:<user>})
 * @param grants what it may do; everything else is denied
 */
public record ComponentAcl(String user, List<Grant> grants) {
  public ComponentAcl {
    grants = List.copyOf(grants);
  }

  /**
   * Operations allowed on one resource.
   *
   * @param type topic or group (the components need no cluster or transactional grants)
   * @param name the resource's name, or its prefix when {@code pattern} is PREFIXED
   */
  public record Grant(
      ResourceType type, String name, PatternType pattern, Set<AclOperation> operations) {
    public Grant {
      operations = Set.copyOf(operations);
      if (operations.isEmpty()) {
        throw new IllegalArgumentException("a grant without operations: " + type + " " + name);
      }
    }

    public static Grant topic(String name, AclOperation... operations) {
      return new Grant(ResourceType.TOPIC, name, PatternType.LITERAL, Set.of(operations));
    }

    public static Grant groupPrefix(String prefix, AclOperation... operations) {
      return new Grant(ResourceType.GROUP, prefix, PatternType.PREFIXED, Set.of(operations));
    }
  }

  /**
   * The grants as a Strimzi KafkaUser's {@code spec.authorization.acls} says them (type simple), in
   * the order given: {@code {resource: {type, name, patternType}, operations: [...], host: "*"}},
   * operations sorted by name. A test of deploy/ can compare its manifests with this.
   */
  public List<java.util.Map<String, Object>> strimziAcls() {
    return grants.stream()
        .map(
            g ->
                java.util.Map.<String, Object>of(
                    "resource",
                    java.util.Map.of(
                        "type", camel(g.type().name()),
                        "name", g.name(),
                        "patternType", strimziPattern(g.pattern())),
                    "operations",
                    g.operations().stream().map(op -> pascal(op.name())).sorted().toList(),
                    "host",
                    "*"))
        .toList();
  }

  /** Strimzi says literal and prefix where Kafka says LITERAL and PREFIXED. */
  static String strimziPattern(PatternType pattern) {
    return switch (pattern) {
      case LITERAL -> "literal";
      case PREFIXED -> "prefix";
      default -> throw new IllegalArgumentException("no Strimzi pattern type for " + pattern);
    };
  }

  /** TOPIC to topic, TRANSACTIONAL_ID to transactionalId. */
  private static String camel(String constant) {
    String pascal = pascal(constant);
    return Character.toLowerCase(pascal.charAt(0)) + pascal.substring(1);
  }

  /** DESCRIBE_CONFIGS to DescribeConfigs. */
  private static String pascal(String constant) {
    StringBuilder out = new StringBuilder();
    for (String part : constant.split("_")) {
      out.append(part.charAt(0)).append(part.substring(1).toLowerCase(java.util.Locale.ROOT));
    }
    return out.toString();
  }

  /** Kafka's ACL bindings for these grants, one per operation, all ALLOW from any host. */
  public List<AclBinding> bindings() {
    String principal = "User:" + user;
    return grants.stream()
        .flatMap(
            g ->
                g.operations().stream()
                    .sorted()
                    .map(
                        op ->
                            new AclBinding(
                                new ResourcePattern(g.type(), g.name(), g.pattern()),
                                new AccessControlEntry(
                                    principal, "*", op, AclPermissionType.ALLOW))))
        .toList();
  }
}
