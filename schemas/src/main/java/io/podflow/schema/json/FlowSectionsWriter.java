package io.podflow.schema.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import io.podflow.schema.flow.v1.AgentLoss;
import io.podflow.schema.flow.v1.DirectionCounters;
import io.podflow.schema.flow.v1.Endpoint;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.Icmp;
import io.podflow.schema.flow.v1.KubernetesIdentity;
import io.podflow.schema.flow.v1.ObservationPoint;
import io.podflow.schema.flow.v1.PendingResult;
import io.podflow.schema.flow.v1.PolicyRef;
import io.podflow.schema.flow.v1.PolicyResult;
import io.podflow.schema.flow.v1.PolicySide;
import io.podflow.schema.flow.v1.Tcp;
import io.podflow.schema.json.FlowRecordJson.Keywords;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The sections of the JSON form, one method each; see {@link FlowRecordJson}. */
final class FlowSectionsWriter {
  private static final String[] TCP_FLAG_NAMES = {
    "FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"
  };

  void writeTimes(FlowRecord record, JsonGenerator json) throws IOException {
    long start = record.getTimeStartNs();
    long end = record.getTimeEndNs();
    string(json, "@timestamp", Timestamps.iso(end));
    object(json, "event");
    string(json, "start", Timestamps.iso(start));
    string(json, "end", Timestamps.iso(end));
    number(json, "duration", end - start);
    json.writeEndObject();
  }

  void writeObserver(FlowRecord record, JsonGenerator json) throws IOException {
    if (!record.hasObserver()) {
      return;
    }
    ObservationPoint observer = record.getObserver();
    object(json, "observer");
    string(json, "type", "podflow-agent");
    stringIfSet(json, "hostname", observer.getNode());
    stringIfSet(json, "name", observer.getAgent());
    if (!observer.getInterface().isEmpty()) {
      object(json, "interface");
      string(json, "name", observer.getInterface());
      json.writeEndObject();
    }
    stringIfSet(
        json, "capture_direction", Keywords.CAPTURE_DIRECTION.of(observer.getCaptureDirection()));
    stringIfSet(json, "reporter", Keywords.REPORTER.of(observer.getReporter()));
    json.writeEndObject();
  }

  /** What the destination's agent observed, on a record the processor merged. */
  void writeDestinationObservation(FlowRecord record, JsonGenerator json) throws IOException {
    if (!record.hasDestinationObservation()) {
      return;
    }
    var seen = record.getDestinationObservation();
    object(json, "destination_observation");
    ObservationPoint observer = seen.getObserver();
    object(json, "observer");
    stringIfSet(json, "hostname", observer.getNode());
    stringIfSet(json, "name", observer.getAgent());
    if (!observer.getInterface().isEmpty()) {
      object(json, "interface");
      string(json, "name", observer.getInterface());
      json.writeEndObject();
    }
    json.writeEndObject();
    for (String direction : new String[] {"source_to_destination", "destination_to_source"}) {
      DirectionCounters c =
          direction.startsWith("source")
              ? seen.getSourceToDestination()
              : seen.getDestinationToSource();
      object(json, direction);
      number(json, "packets", c.getPackets());
      number(json, "bytes", c.getBytes());
      json.writeEndObject();
    }
    json.writeEndObject();
  }

  void writeNetwork(FlowRecord record, JsonGenerator json) throws IOException {
    DirectionCounters forward = record.getSourceToDestination();
    DirectionCounters reverse = record.getDestinationToSource();
    object(json, "network");
    string(json, "transport", IpProtocols.name(record.getProtocol()));
    string(json, "iana_number", Integer.toString(record.getProtocol()));
    if (record.getIpVersion() == 4 || record.getIpVersion() == 6) {
      string(json, "type", record.getIpVersion() == 4 ? "ipv4" : "ipv6");
    }
    number(json, "packets", forward.getPackets() + reverse.getPackets());
    number(json, "bytes", forward.getBytes() + reverse.getBytes());
    json.writeEndObject();
  }

  void writeEndpoint(
      String field, Endpoint endpoint, DirectionCounters sent, boolean present, JsonGenerator json)
      throws IOException {
    object(json, field);
    if (present && !endpoint.getIp().isEmpty()) {
      string(json, "ip", IpText.format(endpoint.getIp().toByteArray()));
    }
    if (endpoint.hasPort()) {
      number(json, "port", endpoint.getPort());
    }
    stringIfSet(json, "port_name", endpoint.getPortName());
    if (!endpoint.getNatIp().isEmpty()) {
      object(json, "nat");
      string(json, "ip", IpText.format(endpoint.getNatIp().toByteArray()));
      if (endpoint.hasNatPort()) {
        number(json, "port", endpoint.getNatPort());
      }
      json.writeEndObject();
    }
    number(json, "packets", sent.getPackets());
    number(json, "bytes", sent.getBytes());
    if (sent.getTcpFlags() != 0) {
      array(json, "tcp_flags");
      for (int bit = 0; bit < TCP_FLAG_NAMES.length; bit++) {
        if ((sent.getTcpFlags() & (1 << bit)) != 0) {
          json.writeString(TCP_FLAG_NAMES[bit]);
        }
      }
      json.writeEndArray();
    }
    if (endpoint.hasKubernetes()) {
      writeKubernetes(endpoint.getKubernetes(), json);
    }
    json.writeEndObject();
  }

  private void writeKubernetes(KubernetesIdentity k8s, JsonGenerator json) throws IOException {
    object(json, "kubernetes");
    stringIfSet(json, "kind", Keywords.ENDPOINT_KIND.of(k8s.getKind()));
    stringIfSet(json, "namespace", k8s.getNamespace());
    if (!k8s.getPodName().isEmpty()) {
      object(json, "pod");
      string(json, "name", k8s.getPodName());
      json.writeEndObject();
    }
    if (k8s.getLabelsCount() > 0) {
      object(json, "labels");
      // Sorted, so that the same pod always gives the same document bytes.
      Map<String, String> labels = k8s.getLabelsMap();
      String[] keys = labels.keySet().toArray(new String[0]);
      Arrays.sort(keys);
      for (String key : keys) {
        string(json, key, labels.get(key));
      }
      json.writeEndObject();
    }
    if (!k8s.getWorkloadKind().isEmpty() || !k8s.getWorkloadName().isEmpty()) {
      object(json, "workload");
      stringIfSet(json, "kind", k8s.getWorkloadKind());
      stringIfSet(json, "name", k8s.getWorkloadName());
      json.writeEndObject();
    }
    stringIfSet(json, "service_account", k8s.getServiceAccount());
    if (!k8s.getNode().isEmpty()) {
      object(json, "node");
      string(json, "name", k8s.getNode());
      json.writeEndObject();
    }
    if (!k8s.getServiceName().isEmpty() || !k8s.getServicePortName().isEmpty()) {
      object(json, "service");
      stringIfSet(json, "name", k8s.getServiceName());
      stringIfSet(json, "port_name", k8s.getServicePortName());
      json.writeEndObject();
    }
    json.writeEndObject();
  }

  void writeIcmp(FlowRecord record, JsonGenerator json) throws IOException {
    if (!record.hasIcmp()) {
      return;
    }
    Icmp icmp = record.getIcmp();
    object(json, "icmp");
    if (icmp.hasType()) {
      number(json, "type", icmp.getType());
    }
    if (icmp.hasCode()) {
      number(json, "code", icmp.getCode());
    }
    if (icmp.hasEchoId()) {
      number(json, "echo_id", icmp.getEchoId());
    }
    json.writeEndObject();
  }

  void writeFlow(FlowRecord record, JsonGenerator json) throws IOException {
    object(json, "flow");
    number(json, "schema_version", record.getSchemaVersion());
    if (record.getFlowStartNs() != 0) {
      string(json, "start", Timestamps.iso(record.getFlowStartNs()));
    }
    number(json, "interval_index", record.getIntervalIndex());
    stringIfSet(json, "end_reason", Keywords.END_REASON.of(record.getEndReason()));
    stringIfSet(json, "initiator_rule", Keywords.INITIATOR_RULE.of(record.getInitiatorRule()));
    if (record.hasTcp()) {
      Tcp tcp = record.getTcp();
      object(json, "tcp");
      stringIfSet(json, "state", Keywords.TCP_STATE.of(tcp.getState()));
      if (tcp.hasHandshakeRttNs()) {
        number(json, "handshake_rtt", tcp.getHandshakeRttNs());
      }
      json.writeEndObject();
    }
    stringIfSet(json, "outcome", Keywords.OUTCOME.of(record.getOutcome()));
    if (record.getSamplingRate() != 0) {
      number(json, "sampling_rate", record.getSamplingRate());
    }
    stringIfSet(json, "enrichment", Keywords.ENRICHMENT.of(record.getEnrichment()));
    if (record.hasLoss()) {
      AgentLoss loss = record.getLoss();
      object(json, "loss");
      number(json, "kernel_drops", loss.getKernelDrops());
      number(json, "decoder_drops", loss.getDecoderDrops());
      number(json, "flows_evicted", loss.getFlowsEvicted());
      number(json, "spool_drops", loss.getSpoolDrops());
      json.writeEndObject();
    }
    json.writeEndObject();
  }

  void writePolicy(PolicyResult policy, JsonGenerator json) throws IOException {
    object(json, "policy");
    stringIfSet(json, "verdict", Keywords.VERDICT.of(policy.getVerdict()));
    if (policy.hasEgress()) {
      writeSide("egress", policy.getEgress(), json);
    }
    if (policy.hasIngress()) {
      writeSide("ingress", policy.getIngress(), json);
    }
    stringIfSet(json, "explanation", policy.getExplanation());
    stringIfSet(json, "revision", policy.getRevision());
    bool(json, "violation", policy.getViolation());
    stringIfSet(json, "enforcement", Keywords.ENFORCEMENT.of(policy.getEnforcement()));
    if (policy.getPendingCount() > 0) {
      array(json, "pending");
      for (PendingResult pending : policy.getPendingList()) {
        json.writeStartObject();
        stringIfSet(json, "policy_set", pending.getPolicySet());
        stringIfSet(json, "verdict", Keywords.VERDICT.of(pending.getVerdict()));
        if (pending.hasEgress()) {
          writeSide("egress", pending.getEgress(), json);
        }
        if (pending.hasIngress()) {
          writeSide("ingress", pending.getIngress(), json);
        }
        stringIfSet(json, "explanation", pending.getExplanation());
        json.writeEndObject();
      }
      json.writeEndArray();
    }
    json.writeEndObject();
  }

  private void writeSide(String field, PolicySide side, JsonGenerator json) throws IOException {
    object(json, field);
    stringIfSet(json, "action", Keywords.VERDICT.of(side.getAction()));
    bool(json, "isolated", side.getIsolated());
    if (side.hasAllowedBy()) {
      object(json, "allowed_by");
      string(json, "namespace", side.getAllowedBy().getNamespace());
      string(json, "name", side.getAllowedBy().getName());
      number(json, "rule_index", side.getAllowedBy().getRuleIndex());
      json.writeEndObject();
    }
    if (side.getIsolatedByCount() > 0) {
      array(json, "isolated_by");
      for (PolicyRef ref : side.getIsolatedByList()) {
        json.writeStartObject();
        string(json, "namespace", ref.getNamespace());
        string(json, "name", ref.getName());
        json.writeEndObject();
      }
      json.writeEndArray();
    }
    json.writeEndObject();
  }

  private static void stringIfSet(JsonGenerator json, String field, String value)
      throws IOException {
    if (value != null && !value.isEmpty()) {
      string(json, field, value);
    }
  }

  // Field names are written from their UTF-8 bytes, encoded and quoted once: a name written as
  // a String is encoded and checked for escapes in every document (60-odd names each).
  private static final Map<String, SerializedString> NAMES = new ConcurrentHashMap<>();

  /** Label keys are names too; a cluster has few, but they are not ours: the cache is bounded. */
  private static final int MAX_NAMES = 4_096;

  private static SerializedString name(String field) {
    SerializedString name = NAMES.get(field);
    if (name != null) {
      return name;
    }
    return NAMES.size() < MAX_NAMES
        ? NAMES.computeIfAbsent(field, SerializedString::new)
        : new SerializedString(field);
  }

  static void string(JsonGenerator json, String field, String value) throws IOException {
    json.writeFieldName(name(field));
    json.writeString(value);
  }

  static void number(JsonGenerator json, String field, long value) throws IOException {
    json.writeFieldName(name(field));
    json.writeNumber(value);
  }

  static void bool(JsonGenerator json, String field, boolean value) throws IOException {
    json.writeFieldName(name(field));
    json.writeBoolean(value);
  }

  static void object(JsonGenerator json, String field) throws IOException {
    json.writeFieldName(name(field));
    json.writeStartObject();
  }

  static void array(JsonGenerator json, String field) throws IOException {
    json.writeFieldName(name(field));
    json.writeStartArray();
  }
}
