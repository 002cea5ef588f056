package io.podflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.podflow.stack.ComponentAcl;
import io.podflow.stack.PodflowAcls;
import io.podflow.stack.StrimziAcls;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The KafkaUsers deploy/ ships grant exactly the ACLs the secured test broker enforces in
 * local-stack's tests ({@link PodflowAcls}): a component that needs more than the manifests grant
 * fails in those tests, not first on a cluster. (The node smoke test goes further: its broker
 * enforces the ACLs read from these rendered KafkaUsers themselves.)
 */
class KafkaUserAclsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void theRenderedKafkaUsersGrantExactlyPodflowAcls() {
    Map<String, ComponentAcl> rendered =
        Kustomize.render(Kustomize.deploy().resolve("base/kafka")).stream()
            .filter(o -> o.path("kind").asText().equals("KafkaUser"))
            .map(KafkaUserAclsTest::acl)
            .collect(Collectors.toMap(ComponentAcl::user, Function.identity()));
    Map<String, ComponentAcl> enforced =
        PodflowAcls.ALL.stream().collect(Collectors.toMap(ComponentAcl::user, Function.identity()));
    assertThat(rendered).isEqualTo(enforced);
  }

  @Test
  void everyKafkaUserAuthenticatesWithScramAndIsAuthorizedBySimpleAcls() {
    List<JsonNode> users =
        Kustomize.render(Kustomize.deploy().resolve("base/kafka")).stream()
            .filter(o -> o.path("kind").asText().equals("KafkaUser"))
            .map(JsonNode.class::cast)
            .toList();
    assertThat(users).hasSize(PodflowAcls.ALL.size());
    for (JsonNode user : users) {
      assertThat(user.at("/spec/authentication/type").asText()).isEqualTo("scram-sha-512");
      assertThat(user.at("/spec/authorization/type").asText()).isEqualTo("simple");
    }
  }

  private static ComponentAcl acl(JsonNode kafkaUser) {
    return StrimziAcls.read(
        kafkaUser.at("/metadata/name").asText(),
        JSON.convertValue(
            kafkaUser.at("/spec/authorization/acls"),
            new TypeReference<List<Map<String, Object>>>() {}));
  }
}
