package io.podflow.processor.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.podflow.processor.policy.PolicySet;
import io.podflow.processor.policy.manifest.PublishedPolicies;
import io.podflow.schema.flow.v1.DirectionCounters;
import io.podflow.schema.flow.v1.Endpoint;
import io.podflow.schema.flow.v1.EndpointKind;
import io.podflow.schema.flow.v1.Enforcement;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.KubernetesIdentity;
import io.podflow.schema.flow.v1.ObservationPoint;
import io.podflow.schema.flow.v1.Outcome;
import io.podflow.schema.flow.v1.Reporter;
import io.podflow.schema.flow.v1.Tcp;
import io.podflow.schema.flow.v1.TcpState;
import io.podflow.schema.flow.v1.Verdict;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FlowJudgeTest {
  /** db accepts only app=api on its named port "pg"; api may only talk to db. */
  private final PolicySet policies =
      new PublishedPolicies("c")
          .apply(
              "c/shop/db-ingress",
              json(
                  """
                  {"kind":"NetworkPolicy","metadata":{"namespace":"shop","name":"db-ingress"},
                   "spec":{"podSelector":{"matchLabels":{"app":"db"}},
                     "ingress":[{"from":[{"podSelector":{"matchLabels":{"app":"api"}}}],
                                 "ports":[{"port":"pg"}]}]}}
                  """))
          .apply(
              "c/shop/api-egress",
              json(
                  """
                  {"kind":"NetworkPolicy","metadata":{"namespace":"shop","name":"api-egress"},
                   "spec":{"podSelector":{"matchLabels":{"app":"api"}},"policyTypes":["Egress"],
                     "egress":[{"to":[{"podSelector":{"matchLabels":{"app":"db"}}}]}]}}
                  """))
          .policySet();

  @Test
  void aSourceRecordIsJudgedOnEgressADestinationRecordOnIngress() {
    FlowRecord webToDb = record("web", "db", 5432, "pg");
    FlowRecord atSource = FlowJudge.judge(reported(webToDb, Reporter.REPORTER_SOURCE), policies);
    FlowRecord atDestination =
        FlowJudge.judge(reported(webToDb, Reporter.REPORTER_DESTINATION), policies);

    assertThat(atSource.getPolicy().getVerdict()).isEqualTo(Verdict.VERDICT_NOT_SELECTED);
    assertThat(atDestination.getPolicy().getVerdict()).isEqualTo(Verdict.VERDICT_DENIED);
    assertThat(atDestination.getPolicy().getIngress().getIsolatedBy(0).getName())
        .isEqualTo("db-ingress");
    assertThat(atDestination.getPolicy().getViolation()).isTrue();
  }

  @Test
  void aNamedPortMatchesOnlyWhenTheRecordSaysThePortHasThatName() {
    FlowRecord named =
        FlowJudge.judge(
            reported(record("api", "db", 5432, "pg"), Reporter.REPORTER_BOTH), policies);
    FlowRecord unnamed =
        FlowJudge.judge(reported(record("api", "db", 5432, ""), Reporter.REPORTER_BOTH), policies);

    assertThat(named.getPolicy().getVerdict()).isEqualTo(Verdict.VERDICT_ALLOWED);
    assertThat(named.getPolicy().getIngress().getAllowedBy().getName()).isEqualTo("db-ingress");
    assertThat(named.getPolicy().getEgress().getAllowedBy().getName()).isEqualTo("api-egress");
    assertThat(unnamed.getPolicy().getVerdict()).isEqualTo(Verdict.VERDICT_DENIED);
  }

  @Test
  void deniedTrafficThatWasAnsweredWentThroughAndUnansweredWasBlocked() {
    FlowRecord answered = reported(record("web", "db", 5432, "pg"), Reporter.REPORTER_DESTINATION);
    FlowRecord unanswered =
        answered.toBuilder()
            .setTcp(Tcp.newBuilder().setState(TcpState.TCP_STATE_OPENING))
            .setOutcome(Outcome.OUTCOME_NO_RESPONSE)
            .setDestinationToSource(DirectionCounters.getDefaultInstance())
            .build();

    assertThat(FlowJudge.judge(answered, policies).getPolicy().getEnforcement())
        .isEqualTo(Enforcement.ENFORCEMENT_ESTABLISHED);
    assertThat(FlowJudge.judge(unanswered, policies).getPolicy().getEnforcement())
        .isEqualTo(Enforcement.ENFORCEMENT_BLOCKED);
  }

  @Test
  void theVerdictNamesThePolicySetRevisionItWasComputedWith() {
    FlowRecord judged =
        FlowJudge.judge(
            reported(record("api", "db", 5432, "pg"), Reporter.REPORTER_BOTH), policies);
    assertThat(judged.getPolicy().getRevision()).isEqualTo(policies.revision()).startsWith("c@");
  }

  private static FlowRecord record(String from, String to, int port, String portName) {
    return FlowRecord.newBuilder()
        .setSchemaVersion(1)
        .setCluster("c")
        .setProtocol(6)
        .setSource(endpoint(5, from, 41000, ""))
        .setDestination(endpoint(9, to, port, portName))
        .setSourceToDestination(DirectionCounters.newBuilder().setPackets(3))
        .setDestinationToSource(DirectionCounters.newBuilder().setPackets(2))
        .setTcp(Tcp.newBuilder().setState(TcpState.TCP_STATE_ESTABLISHED))
        .build();
  }

  private static FlowRecord reported(FlowRecord r, Reporter reporter) {
    return r.toBuilder().setObserver(ObservationPoint.newBuilder().setReporter(reporter)).build();
  }

  private static Endpoint endpoint(int last, String app, int port, String portName) {
    return Endpoint.newBuilder()
        .setIp(ByteString.copyFrom(new byte[] {10, 1, 0, (byte) last}))
        .setPort(port)
        .setPortName(portName)
        .setKubernetes(
            KubernetesIdentity.newBuilder()
                .setKind(EndpointKind.ENDPOINT_KIND_POD)
                .setNamespace("shop")
                .setPodName(app + "-0")
                .putLabels("app", app))
        .build();
  }

  private static byte[] json(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
