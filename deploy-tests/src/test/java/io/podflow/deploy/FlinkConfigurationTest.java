package io.podflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.junit.jupiter.api.Test;

/**
 * The FlinkDeployment's flinkConfiguration uses keys that the build's Flink (2.2) knows under those
 * names, not names Flink 2 dropped or only still reads as deprecated (state.checkpoints.dir became
 * execution.checkpointing.dir): read from Flink's own ConfigOption classes.
 */
class FlinkConfigurationTest {
  private static final List<Class<?>> OPTIONS =
      List.of(
          CheckpointingOptions.class,
          StateBackendOptions.class,
          StateRecoveryOptions.class,
          HighAvailabilityOptions.class,
          RestartStrategyOptions.class,
          TaskManagerOptions.class,
          JobManagerOptions.class,
          MetricOptions.class,
          ExecutionOptions.class,
          CoreOptions.class,
          PipelineOptions.class,
          DeploymentOptions.class);

  /** Keys of a named reporter (metrics.reporter.NAME.KEY): the Prometheus reporter's port too. */
  private static final Set<String> REPORTER_KEYS =
      Set.of(MetricOptions.REPORTER_FACTORY_CLASS.key(), "port");

  @Test
  void everyFlinkConfigurationKeyIsACurrentKeyOfTheBuildsFlink() throws Exception {
    Set<String> current = new HashSet<>();
    Set<String> deprecated = new HashSet<>();
    for (Class<?> type : OPTIONS) {
      for (Field field : type.getFields()) {
        if (Modifier.isStatic(field.getModifiers()) && field.getType() == ConfigOption.class) {
          ConfigOption<?> option = (ConfigOption<?>) field.get(null);
          current.add(option.key());
          for (FallbackKey fallback : option.fallbackKeys()) {
            if (fallback.isDeprecated()) {
              deprecated.add(fallback.getKey());
            }
          }
        }
      }
    }
    List<ObjectNode> rendered = Kustomize.render(Kustomize.deploy().resolve("base/processor"));
    JsonNode configuration =
        rendered.stream()
            .filter(o -> o.path("kind").asText().equals("FlinkDeployment"))
            .findFirst()
            .orElseThrow()
            .at("/spec/flinkConfiguration");
    List<String> problems = new ArrayList<>();
    configuration
        .fieldNames()
        .forEachRemaining(
            key -> {
              if (key.startsWith("metrics.reporter.")) {
                String rest = key.substring("metrics.reporter.".length());
                if (!REPORTER_KEYS.contains(rest.substring(rest.indexOf('.') + 1))) {
                  problems.add(key + ": not a reporter key");
                }
              } else if (deprecated.contains(key) && !current.contains(key)) {
                problems.add(key + ": deprecated in Flink " + Versions.get("flink.version"));
              } else if (!current.contains(key)) {
                problems.add(key + ": unknown to Flink " + Versions.get("flink.version"));
              }
            });
    assertThat(configuration.size()).isPositive();
    assertThat(problems).isEmpty();
  }
}
