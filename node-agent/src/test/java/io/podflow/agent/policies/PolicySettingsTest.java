package io.podflow.agent.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PolicySettingsTest {
  @Test
  void aLeaseWhoseLeaderWouldRenewAfterItRanOutIsRefusedWhenMade() {
    assertThatThrownBy(
            () ->
                new PolicySettings(
                    "lab",
                    "agent-a",
                    PolicySettings.DEFAULT_TOPIC,
                    "podflow",
                    PolicySettings.DEFAULT_LEASE_NAME,
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("renew deadline");
  }

  @Test
  void anotherTopicKeepsTheDefaultLeaseAndPeriods() {
    PolicySettings settings =
        PolicySettings.of("lab", "agent-a", "podflow-system").withTopic("lab.policies");
    assertThat(settings.topic()).isEqualTo("lab.policies");
    assertThat(settings)
        .usingRecursiveComparison()
        .ignoringFields("topic")
        .isEqualTo(PolicySettings.of("lab", "agent-a", "podflow-system"));
  }
}
