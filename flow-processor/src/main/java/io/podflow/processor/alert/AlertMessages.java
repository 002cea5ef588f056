package io.podflow.processor.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podflow.processor.verdict.Violation;
import java.time.Instant;

/**
 * Violations as Prometheus Alertmanager alerts (API v2, {@code POST /api/v2/alerts}), one alert per
 * cluster, source and destination workload and policy. Traffic the policy denies but that went
 * through (ESTABLISHED: the network plugin does not enforce it) is a critical {@code
 * PodflowEnforcementGap}; denied traffic that was stopped a {@code PodflowPolicyViolation} warning.
 * The annotations say what happened in one line and give the OpenSearch query that shows the flows.
 */
public final class AlertMessages {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AlertMessages() {}

  /** The alert, firing until {@code endsAt} unless sent again. */
  public static String firing(Violation v, Instant startsAt, Instant endsAt) {
    return alert(v, startsAt, endsAt).toString();
  }

  /** The alert, resolved at {@code now}. */
  public static String resolved(Violation v, Instant startsAt, Instant now) {
    return alert(v, startsAt, now).toString();
  }

  private static ObjectNode alert(Violation v, Instant startsAt, Instant endsAt) {
    ObjectNode alert = JSON.createObjectNode();
    ObjectNode labels = alert.putObject("labels");
    labels.put("alertname", v.established ? "PodflowEnforcementGap" : "PodflowPolicyViolation");
    labels.put("severity", v.established ? "critical" : "warning");
    labels.put("cluster", v.cluster);
    labels.put("source_namespace", v.sourceNamespace);
    labels.put("source_workload", v.sourceWorkloadName);
    labels.put("destination_namespace", v.destinationNamespace);
    labels.put("destination_workload", v.destinationWorkloadName);
    labels.put("policy", v.policyNamespace + "/" + v.policyName);
    ObjectNode annotations = alert.putObject("annotations");
    annotations.put("summary", summary(v));
    annotations.put("description", v.explanation);
    annotations.put("opensearch_query", query(v));
    alert.put("startsAt", startsAt.toString());
    alert.put("endsAt", endsAt.toString());
    return alert;
  }

  private static String summary(Violation v) {
    String from = name(v.sourceNamespace, v.sourceWorkloadName);
    String to = name(v.destinationNamespace, v.destinationWorkloadName);
    return v.established
        ? from
            + " reached "
            + to
            + " although "
            + v.policyNamespace
            + "/"
            + v.policyName
            + " denies it: the network plugin does not enforce the policy"
        : v.policyNamespace + "/" + v.policyName + " denied traffic from " + from + " to " + to;
  }

  private static String name(String namespace, String workload) {
    return namespace.isEmpty()
        ? (workload.isEmpty() ? "outside the cluster" : workload)
        : namespace + "/" + workload;
  }

  /** A query string for the flow index (Discover, or {@code _search?q=}). */
  static String query(Violation v) {
    StringBuilder q = new StringBuilder();
    q.append("orchestrator.cluster.name:\"").append(v.cluster).append('"');
    term(q, "source.kubernetes.namespace", v.sourceNamespace);
    term(q, "source.kubernetes.workload.name", v.sourceWorkloadName);
    term(q, "destination.kubernetes.namespace", v.destinationNamespace);
    term(q, "destination.kubernetes.workload.name", v.destinationWorkloadName);
    q.append(" AND policy.violation:true");
    return q.toString();
  }

  private static void term(StringBuilder q, String field, String value) {
    if (!value.isEmpty()) {
      q.append(" AND ").append(field).append(":\"").append(value.replace("\"", "\\\"")).append('"');
    }
  }
}
