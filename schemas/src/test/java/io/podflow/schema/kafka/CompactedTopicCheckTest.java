package io.podflow.schema.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.podflow.schema.kafka.CompactedTopicCheck.State;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

/**
 * The verdicts and their messages; the broker's side (describeConfigs against a real Kafka) is
 * proven by the agent's and the processor's integration tests.
 */
class CompactedTopicCheckTest {
  private static final String KAFKA = "kafka:9093";

  @Test
  void onlyCompactPassesAndTheMessageNamesTopicPolicyAndFix() {
    assertThat(CompactedTopicCheck.of("podflow.policies.v1", KAFKA, "compact").compacted())
        .isTrue();
    for (String policy : new String[] {"delete", "compact,delete"}) {
      CompactedTopicCheck.Result r = CompactedTopicCheck.of("podflow.policies.v1", KAFKA, policy);
      assertThat(r.state()).isEqualTo(State.NOT_COMPACTED);
      assertThat(r.message())
          .contains("podflow.policies.v1 has cleanup.policy=" + policy)
          .contains("podflow setup --bootstrap-servers kafka:9093 --fix")
          .contains("--entity-name podflow.policies.v1 --add-config cleanup.policy=compact");
    }
  }

  @Test
  void aTopicOfAnotherNameIsFixedWithKafkasOwnTool() {
    assertThat(CompactedTopicCheck.of("team.policies", KAFKA, "delete").message())
        .doesNotContain("podflow setup")
        .contains(
            "kafka-configs.sh --bootstrap-server kafka:9093 --alter --entity-type topics"
                + " --entity-name team.policies --add-config cleanup.policy=compact");
  }

  @Test
  void aMissingTopicAMissingAclAndAnAbsentBrokerEachSayWhatToDo() {
    CompactedTopicCheck.Result missing =
        CompactedTopicCheck.failed(
            "podflow.policies.v1", KAFKA, new UnknownTopicOrPartitionException("gone"));
    assertThat(missing.state()).isEqualTo(State.MISSING);
    assertThat(missing.message())
        .contains("does not exist")
        .contains("podflow setup --bootstrap-servers kafka:9093");

    CompactedTopicCheck.Result denied =
        CompactedTopicCheck.failed(
            "podflow.policies.v1", KAFKA, new TopicAuthorizationException("denied"));
    assertThat(denied.state()).isEqualTo(State.NOT_AUTHORIZED);
    assertThat(denied.message()).contains("Describe and DescribeConfigs").contains("topic");

    CompactedTopicCheck.Result away =
        CompactedTopicCheck.failed("podflow.policies.v1", KAFKA, new TimeoutException("slow"));
    assertThat(away.state()).isEqualTo(State.UNREACHABLE);
    assertThat(away.message()).contains("kafka:9093").contains("slow");
  }
}
