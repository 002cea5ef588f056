package io.podflow.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

class PodflowAclsTest {

  @Test
  void theAgentsGrantsReadAsAStrimziKafkaUserSaysThem() {
    assertThat(PodflowAcls.AGENT.strimziAcls())
        .containsExactly(
            Map.of(
                "resource",
                Map.of("type", "topic", "name", "podflow.flows.v1", "patternType", "literal"),
                "operations",
                List.of("Describe", "Write"),
                "host",
                "*"),
            Map.of(
                "resource",
                Map.of("type", "topic", "name", "podflow.policies.v1", "patternType", "literal"),
                "operations",
                List.of("Describe", "DescribeConfigs", "Read", "Write"),
                "host",
                "*"));
  }

  @Test
  void theProcessorsGroupsArePrefixedAndItsBindingsAreOnePerOperation() {
    assertThat(PodflowAcls.PROCESSOR.strimziAcls())
        .contains(
            Map.of(
                "resource",
                Map.of("type", "group", "name", "podflow-flow-processor", "patternType", "prefix"),
                "operations",
                List.of("Read"),
                "host",
                "*"));
    assertThat(PodflowAcls.PROCESSOR.bindings())
        .hasSize(2 + 3 + 2 + 2 + 1)
        .allSatisfy(
            b -> {
              assertThat(b.entry().principal()).isEqualTo("User:podflow-flow-processor");
              assertThat(b.entry().host()).isEqualTo("*");
            })
        .noneSatisfy(
            b -> {
              assertThat(b.pattern().resourceType()).isEqualTo(ResourceType.TOPIC);
              assertThat(b.pattern().name()).isEqualTo(PodflowAcls.FLOWS);
              assertThat(b.entry().operation()).isEqualTo(AclOperation.WRITE);
            })
        .anySatisfy(
            b -> {
              assertThat(b.pattern().resourceType()).isEqualTo(ResourceType.GROUP);
              assertThat(b.pattern().patternType()).isEqualTo(PatternType.PREFIXED);
            });
  }
}
