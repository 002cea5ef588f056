package io.podflow.processor.policy.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PublishedPoliciesTest {
  private static final byte[] DENY_ALL =
      bytes(
          "{\"kind\":\"NetworkPolicy\",\"metadata\":{\"namespace\":\"shop\",\"name\":\"deny\"},"
              + "\"spec\":{\"podSelector\":{}}}");
  private static final byte[] SHOP =
      bytes("{\"kind\":\"Namespace\",\"metadata\":{\"name\":\"shop\",\"labels\":{\"t\":\"a\"}}}");

  @Test
  void aTombstoneRemovesThePolicyAndTheRevisionFollowsTheContentNotTheHistory() {
    PublishedPolicies a = new PublishedPolicies("c").apply("c//shop", SHOP);
    String before = a.policySet().revision();
    a.apply("c/shop/deny", DENY_ALL);
    assertThat(a.policySet().policies()).hasSize(1);
    assertThat(a.policySet().revision()).isNotEqualTo(before);

    a.apply("c/shop/deny", null);
    assertThat(a.policySet().policies()).isEmpty();
    assertThat(a.policySet().revision()).isEqualTo(before);

    PublishedPolicies b =
        new PublishedPolicies("c").apply("c/shop/deny", DENY_ALL).apply("c//shop", SHOP);
    a.apply("c/shop/deny", DENY_ALL);
    assertThat(b.policySet().revision()).isEqualTo(a.policySet().revision());
  }

  @Test
  void anObjectThatCannotBeReadIsLeftOutWithItsReasonAndTheOthersStay() {
    PublishedPolicies p =
        new PublishedPolicies("c")
            .apply("c/shop/deny", DENY_ALL)
            .apply("c/shop/broken", bytes("{\"kind\":\"NetworkPolicy\",\"metadata\":{"))
            .apply("c/shop/odd", bytes("{\"kind\":\"ConfigMap\"}"));

    assertThat(p.policySet().policies()).hasSize(1);
    assertThat(p.errors()).containsOnlyKeys("c/shop/broken", "c/shop/odd");
  }

  @Test
  void keysNameTheirCluster() {
    assertThat(PublishedPolicies.clusterOf("prod/shop/deny")).isEqualTo("prod");
    assertThat(PublishedPolicies.clusterOf("prod//shop")).isEqualTo("prod");
    assertThat(PublishedPolicies.clusterOf("no-slashes")).isNull();
    assertThat(PublishedPolicies.clusterOf("/shop/deny")).isNull();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
