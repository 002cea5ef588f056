package io.podflow.stack;

import io.podflow.stack.ComponentAcl.Grant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Reads a Strimzi KafkaUser's {@code spec.authorization.acls} (type simple) as a {@link
 * ComponentAcl}, so that a secured test broker can enforce the ACLs a cluster gets from deploy/,
 * and a test can compare them with {@link PodflowAcls}. Only what podflow's users say is read:
 * allow rules from any host on topics and groups; anything else is an error naming it, rather than
 * a grant silently read differently from Strimzi.
 */
public final class StrimziAcls {
  private StrimziAcls() {}

  /**
   * @param user the KafkaUser's name (its principal is {@code User:<name>})
   * @param acls its {@code spec.authorization.acls}, as parsed from YAML or JSON
   */
  public static ComponentAcl read(String user, List<Map<String, Object>> acls) {
    List<Grant> grants = new ArrayList<>();
    for (Map<String, Object> acl : acls) {
      if (!"allow".equals(acl.getOrDefault("type", "allow"))
          || !"*".equals(acl.getOrDefault("host", "*"))) {
        throw new IllegalArgumentException("only allow rules from any host are read: " + acl);
      }
      for (String field : acl.keySet()) {
        if (!Set.of("resource", "operations", "type", "host").contains(field)) {
          throw new IllegalArgumentException("ACL field " + field + " of " + user);
        }
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> resource = (Map<String, Object>) acl.get("resource");
      ResourceType type =
          switch (String.valueOf(resource.get("type"))) {
            case "topic" -> ResourceType.TOPIC;
            case "group" -> ResourceType.GROUP;
            default -> throw new IllegalArgumentException("resource type of " + acl);
          };
      PatternType pattern =
          switch (String.valueOf(resource.getOrDefault("patternType", "literal"))) {
            case "literal" -> PatternType.LITERAL;
            case "prefix" -> PatternType.PREFIXED;
            default -> throw new IllegalArgumentException("pattern type of " + acl);
          };
      Set<AclOperation> operations = new LinkedHashSet<>();
      for (Object op : (List<?>) acl.get("operations")) {
        operations.add(operation(String.valueOf(op)));
      }
      grants.add(new Grant(type, String.valueOf(resource.get("name")), pattern, operations));
    }
    return new ComponentAcl(user, grants);
  }

  /** Strimzi's DescribeConfigs is Kafka's DESCRIBE_CONFIGS. */
  private static AclOperation operation(String pascal) {
    String constant = pascal.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    try {
      AclOperation op = AclOperation.valueOf(constant);
      if (op == AclOperation.ANY || op == AclOperation.UNKNOWN) {
        throw new IllegalArgumentException("operation " + pascal);
      }
      return op;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("no Kafka ACL operation " + pascal, e);
    }
  }
}
