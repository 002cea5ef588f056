package io.podflow.processor.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessorConfigTest {
  @Test
  void argumentsWinOverTheEnvironmentAndEverythingElseHasItsDefault() {
    ProcessorConfig c =
        ProcessorConfig.parse(
            new String[] {"--bootstrap-servers=kafka:9092", "--merge-window=PT1M"},
            Map.of(
                "PODFLOW_PROCESSOR_BOOTSTRAP_SERVERS", "ignored:1",
                "PODFLOW_PROCESSOR_OPENSEARCH", "http://opensearch:9200",
                "PODFLOW_PROCESSOR_HOLD", "2.5",
                "HOME", "/root"));

    assertThat(c.bootstrapServers()).isEqualTo("kafka:9092");
    assertThat(c.openSearch().toString()).isEqualTo("http://opensearch:9200");
    assertThat(c.mergeWindow()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.hold()).isEqualTo(Duration.ofMillis(2_500));
    assertThat(c.flowsTopic()).isEqualTo(FlowTopics.FLOWS);
    assertThat(c.alertmanager()).isNull();
    assertThat(c.bounded()).isFalse();
  }

  @Test
  void everyProblemIsNamedAtOnce() {
    assertThatThrownBy(
            () ->
                ProcessorConfig.parse(
                    new String[] {
                      "--opensearch=opensearch:9200", "--hold=soon", "--colour=red", "x"
                    },
                    Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bootstrap-servers is required")
        .hasMessageContaining("opensearch must be http(s)://host:port")
        .hasMessageContaining("hold must be seconds or an ISO-8601 duration")
        .hasMessageContaining("unknown key 'colour'")
        .hasMessageContaining("'x' is not --key=value");
  }
}
