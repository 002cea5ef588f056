package io.podflow.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StrimziAclsTest {

  @Test
  void whatPodflowAclsRendersReadsBackAsTheSameGrants() {
    for (ComponentAcl acl : PodflowAcls.ALL) {
      assertThat(StrimziAcls.read(acl.user(), acl.strimziAcls())).isEqualTo(acl);
    }
  }

  @Test
  void strimziDefaultsAreLiteralPatternsFromAnyHost() {
    ComponentAcl acl =
        StrimziAcls.read(
            "u",
            List.of(
                Map.of(
                    "resource",
                    Map.of("type", "topic", "name", "podflow.flows.v1"),
                    "operations",
                    List.of("Write", "Describe"))));
    assertThat(acl.bindings()).hasSize(2);
    assertThat(acl.strimziAcls().get(0))
        .containsEntry(
            "resource",
            Map.of("type", "topic", "name", "podflow.flows.v1", "patternType", "literal"))
        .containsEntry("operations", List.of("Describe", "Write"));
  }

  @Test
  void whatItCannotGrantAsStrimziWouldIsAnErrorNamingIt() {
    Map<String, Object> topic = Map.of("type", "topic", "name", "t");
    assertThatThrownBy(
            () ->
                StrimziAcls.read(
                    "u",
                    List.of(
                        Map.of("resource", topic, "operations", List.of("Read"), "type", "deny"))))
        .hasMessageContaining("only allow rules");
    assertThatThrownBy(
            () ->
                StrimziAcls.read(
                    "u",
                    List.of(
                        Map.of(
                            "resource",
                            Map.of("type", "cluster"),
                            "operations",
                            List.of("Create")))))
        .hasMessageContaining("resource type");
    assertThatThrownBy(
            () ->
                StrimziAcls.read(
                    "u", List.of(Map.of("resource", topic, "operations", List.of("Wrtie")))))
        .hasMessageContaining("Wrtie");
  }
}
