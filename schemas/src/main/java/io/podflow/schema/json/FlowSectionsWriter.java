package io.podflow.schema.json;

import com.fasterxml.jackson.core.JsonGenerator;
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
import java.util.Map;
import java.util.TreeMap;

/** The sections of the JSON form, one method each; see {@link FlowRecordJson}. */
final class FlowSectionsWriter {
  private static final String[] TCP_FLAG_NAMES = {
    "FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"
  };

  void writeTimes(FlowRecord record, JsonGenerator json) throws IOException {
    long start = record.getTimeStartNs();
    long end = record.getTimeEndNs();
    json.writeStringField("@timestamp", Timestamps.iso(end));
    json.writeObjectFieldStart("event");
    json.writeStringField("start", Timestamps.iso(start));
    json.writeStringField("end", Timestamps.iso(end));
    json.writeNumberField("duration", end - start);
    json.writeEndObject();
  }

  void writeObserver(FlowRecord record, JsonGenerator json) throws IOException {
    if (!record.hasObserver()) {
      return;
    }
    ObservationPoint observer = record.getObserver();
    json.writeObjectFieldStart("observer");
    json.writeStringField("type", "podflow-agent");
    stringIfSet(json, "hostname", observer.getNode());
    stringIfSet(json, "name", observer.getAgent());
    if (!observer.getInterface().isEmpty()) {
      json.writeObjectFieldStart("interface");
      json.writeStringField("name", observer.getInterface());
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
    json.writeObjectFieldStart("destination_observation");
    ObservationPoint observer = seen.getObserver();
    json.writeObjectFieldStart("observer");
    stringIfSet(json, "hostname", observer.getNode());
    stringIfSet(json, "name", observer.getAgent());
    if (!observer.getInterface().isEmpty()) {
      json.writeObjectFieldStart("interface");
      json.writeStringField("name", observer.getInterface());
      json.writeEndObject();
    }
    json.writeEndObject();
    for (String direction : new String[] {"source_to_destination", "destination_to_source"}) {
      DirectionCounters c =
          direction.startsWith("source")
              ? seen.getSourceToDestination()
              : seen.getDestinationToSource();
      json.writeObjectFieldStart(direction);
      json.writeNumberField("packets", c.getPackets());
      json.writeNumberField("bytes", c.getBytes());
      json.writeEndObject();
    }
    json.writeEndObject();
  }

  void writeNetwork(FlowRecord record, JsonGenerator json) throws IOException {
    DirectionCounters forward = record.getSourceToDestination();
    DirectionCounters reverse = record.getDestinationToSource();
    json.writeObjectFieldStart("network");
    json.writeStringField("transport", IpProtocols.name(record.getProtocol()));
    json.writeStringField("iana_number", Integer.toString(record.getProtocol()));
    if (record.getIpVersion() == 4 || record.getIpVersion() == 6) {
      json.writeStringField("type", record.getIpVersion() == 4 ? "ipv4" : "ipv6");
    }
    json.writeNumberField("packets", forward.getPackets() + reverse.getPackets());
    json.writeNumberField("bytes", forward.getBytes() + reverse.getBytes());
    json.writeEndObject();
  }

  void writeEndpoint(
      String field, Endpoint endpoint, DirectionCounters sent, boolean present, JsonGenerator json)
      throws IOException {
    json.writeObjectFieldStart(field);
    if (present && !endpoint.getIp().isEmpty()) {
      json.writeStringField("ip", IpText.format(endpoint.getIp().toByteArray()));
    }
    if (endpoint.hasPort()) {
      json.writeNumberField("port", endpoint.getPort());
    }
    stringIfSet(json, "port_name", endpoint.getPortName());
    if (!endpoint.getNatIp().isEmpty()) {
      json.writeObjectFieldStart("nat");
      json.writeStringField("ip", IpText.format(endpoint.getNatIp().toByteArray()));
      if (endpoint.hasNatPort()) {
        json.writeNumberField("port", endpoint.getNatPort());
      }
      json.writeEndObject();
    }
    json.writeNumberField("packets", sent.getPackets());
    json.writeNumberField("bytes", sent.getBytes());
    if (sent.getTcpFlags() != 0) {
      json.writeArrayFieldStart("tcp_flags");
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
    json.writeObjectFieldStart("kubernetes");
    stringIfSet(json, "kind", Keywords.ENDPOINT_KIND.of(k8s.getKind()));
    stringIfSet(json, "namespace", k8s.getNamespace());
    if (!k8s.getPodName().isEmpty()) {
      json.writeObjectFieldStart("pod");
      json.writeStringField("name", k8s.getPodName());
      json.writeEndObject();
    }
    if (k8s.getLabelsCount() > 0) {
      json.writeObjectFieldStart("labels");
      // Sorted, so that the same pod always gives the same document bytes.
      for (Map.Entry<String, String> label : new TreeMap<>(k8s.getLabelsMap()).entrySet()) {
        json.writeStringField(label.getKey(), label.getValue());
      }
      json.writeEndObject();
    }
    if (!k8s.getWorkloadKind().isEmpty() || !k8s.getWorkloadName().isEmpty()) {
      json.writeObjectFieldStart("workload");
      stringIfSet(json, "kind", k8s.getWorkloadKind());
      stringIfSet(json, "name", k8s.getWorkloadName());
      json.writeEndObject();
    }
    stringIfSet(json, "service_account", k8s.getServiceAccount());
    if (!k8s.getNode().isEmpty()) {
      json.writeObjectFieldStart("node");
      json.writeStringField("name", k8s.getNode());
      json.writeEndObject();
    }
    if (!k8s.getServiceName().isEmpty() || !k8s.getServicePortName().isEmpty()) {
      json.writeObjectFieldStart("service");
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
    json.writeObjectFieldStart("icmp");
    if (icmp.hasType()) {
      json.writeNumberField("type", icmp.getType());
    }
    if (icmp.hasCode()) {
      json.writeNumberField("code", icmp.getCode());
    }
    if (icmp.hasEchoId()) {
      json.writeNumberField("echo_id", icmp.getEchoId());
    }
    json.writeEndObject();
  }

  void writeFlow(FlowRecord record, JsonGenerator json) throws IOException {
    json.writeObjectFieldStart("flow");
    json.writeNumberField("schema_version", record.getSchemaVersion());
    if (record.getFlowStartNs() != 0) {
      json.writeStringField("start", Timestamps.iso(record.getFlowStartNs()));
    }
    json.writeNumberField("interval_index", record.getIntervalIndex());
    stringIfSet(json, "end_reason", Keywords.END_REASON.of(record.getEndReason()));
    stringIfSet(json, "initiator_rule", Keywords.INITIATOR_RULE.of(record.getInitiatorRule()));
    if (record.hasTcp()) {
      Tcp tcp = record.getTcp();
      json.writeObjectFieldStart("tcp");
      stringIfSet(json, "state", Keywords.TCP_STATE.of(tcp.getState()));
      if (tcp.hasHandshakeRttNs()) {
        json.writeNumberField("handshake_rtt", tcp.getHandshakeRttNs());
      }
      json.writeEndObject();
    }
    stringIfSet(json, "outcome", Keywords.OUTCOME.of(record.getOutcome()));
    if (record.getSamplingRate() != 0) {
      json.writeNumberField("sampling_rate", record.getSamplingRate());
    }
    stringIfSet(json, "enrichment", Keywords.ENRICHMENT.of(record.getEnrichment()));
    if (record.hasLoss()) {
      AgentLoss loss = record.getLoss();
      json.writeObjectFieldStart("loss");
      json.writeNumberField("kernel_drops", loss.getKernelDrops());
      json.writeNumberField("decoder_drops", loss.getDecoderDrops());
      json.writeNumberField("flows_evicted", loss.getFlowsEvicted());
      json.writeNumberField("spool_drops", loss.getSpoolDrops());
      json.writeEndObject();
    }
    json.writeEndObject();
  }

  void writePolicy(PolicyResult policy, JsonGenerator json) throws IOException {
    json.writeObjectFieldStart("policy");
    stringIfSet(json, "verdict", Keywords.VERDICT.of(policy.getVerdict()));
    if (policy.hasEgress()) {
      writeSide("egress", policy.getEgress(), json);
    }
    if (policy.hasIngress()) {
      writeSide("ingress", policy.getIngress(), json);
    }
    stringIfSet(json, "explanation", policy.getExplanation());
    stringIfSet(json, "revision", policy.getRevision());
    json.writeBooleanField("violation", policy.getViolation());
    stringIfSet(json, "enforcement", Keywords.ENFORCEMENT.of(policy.getEnforcement()));
    if (policy.getPendingCount() > 0) {
      json.writeArrayFieldStart("pending");
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
    json.writeObjectFieldStart(field);
    stringIfSet(json, "action", Keywords.VERDICT.of(side.getAction()));
    json.writeBooleanField("isolated", side.getIsolated());
    if (side.hasAllowedBy()) {
      json.writeObjectFieldStart("allowed_by");
      json.writeStringField("namespace", side.getAllowedBy().getNamespace());
      json.writeStringField("name", side.getAllowedBy().getName());
      json.writeNumberField("rule_index", side.getAllowedBy().getRuleIndex());
      json.writeEndObject();
    }
    if (side.getIsolatedByCount() > 0) {
      json.writeArrayFieldStart("isolated_by");
      for (PolicyRef ref : side.getIsolatedByList()) {
        json.writeStartObject();
        json.writeStringField("namespace", ref.getNamespace());
        json.writeStringField("name", ref.getName());
        json.writeEndObject();
      }
      json.writeEndArray();
    }
    json.writeEndObject();
  }

  private static void stringIfSet(JsonGenerator json, String field, String value)
      throws IOException {
    if (value != null && !value.isEmpty()) {
      json.writeStringField(field, value);
    }
  }
}
