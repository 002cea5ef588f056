package io.podflow.schema.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientPropertiesTest {
  @TempDir Path dir;

  @Test
  void aPropertiesFileIsReadAndPrintsItsKeysButNeverItsValues() throws Exception {
    Path file = dir.resolve("kafka.properties");
    Files.writeString(
        file,
        String.join(
            "\n",
            "# TLS and SCRAM",
            "security.protocol = SASL_SSL",
            "sasl.mechanism=SCRAM-SHA-512",
            "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"podflow\" password=\"hunter2\";",
            ""));

    KafkaClientProperties p = KafkaClientProperties.load(file);

    assertThat(p.asMap())
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
    assertThat(p.toString())
        .contains("sasl.jaas.config", "security.protocol")
        .doesNotContain("hunter2")
        .doesNotContain("SASL_SSL");
    assertThat(p.refusals("kafka-properties: ", Map.of())).isEmpty();
  }

  @Test
  void anUnreadableFileIsNamedWithoutItsContents() {
    Path missing = dir.resolve("nope.properties");
    assertThatThrownBy(() -> KafkaClientProperties.load(missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(missing.toString());
  }

  @Test
  void settingsThatWeakenDeliveryOrTakeOverPodflowsOwnKeysAreRefusedByName() {
    KafkaClientProperties p =
        KafkaClientProperties.of(
            Map.of(
                "acks", "1",
                "enable.idempotence", "false",
                "max.in.flight.requests.per.connection", "10",
                "bootstrap.servers", "elsewhere:9092",
                "value.serializer", "org.example.Mine",
                "group.id", "mine",
                "ssl.truststore.location", "/etc/ca.p12"));

    assertThat(
            p.refusals("kafka.properties.", Map.of("bootstrap.servers", "kafka.bootstrapServers")))
        .hasSize(6)
        .anySatisfy(r -> assertThat(r).startsWith("kafka.properties.acks=1 is refused"))
        .anySatisfy(
            r -> assertThat(r).startsWith("kafka.properties.enable.idempotence=false is refused"))
        .anySatisfy(
            r ->
                assertThat(r)
                    .startsWith("kafka.properties.max.in.flight.requests.per.connection=10"))
        .anySatisfy(
            r ->
                assertThat(r)
                    .isEqualTo(
                        "kafka.properties.bootstrap.servers is set through"
                            + " kafka.bootstrapServers, not here"))
        .anySatisfy(r -> assertThat(r).startsWith("kafka.properties.value.serializer is set by"))
        .anySatisfy(r -> assertThat(r).startsWith("kafka.properties.group.id is set by"));
  }

  @Test
  void repeatingWhatPodflowSetsAnywayIsAccepted() {
    KafkaClientProperties p =
        KafkaClientProperties.of(
            Map.of(
                "acks", "all",
                "enable.idempotence", "true",
                "max.in.flight.requests.per.connection", "5"));
    assertThat(p.refusals("", Map.of())).isEmpty();
    assertThat(KafkaClientProperties.of(Map.of("acks", "-1")).refusals("", Map.of())).isEmpty();
  }
}
