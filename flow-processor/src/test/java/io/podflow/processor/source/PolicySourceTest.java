package io.podflow.processor.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.Collector;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class PolicySourceTest {
  private static final String DENY_ALL =
      "{\"kind\":\"NetworkPolicy\",\"metadata\":{\"namespace\":\"shop\",\"name\":\"deny\"},"
          + "\"spec\":{\"podSelector\":{}}}";
  private static final String BROKEN = "{\"kind\":\"NetworkPolicy\",\"metadata\":{";

  private final Map<String, Metric> metrics = new HashMap<>();
  private final List<String> passedOn = new ArrayList<>();
  private final PolicySource.Deserializer deserializer = new PolicySource.Deserializer();
  private long offset;

  @Test
  void everyPolicyRecordTheJobCannotUseIsCountedAndTheUnreadableStayVisibleUntilReplaced()
      throws Exception {
    deserializer.open(context());

    read("c/shop/deny", DENY_ALL);
    assertThat(rejected()).isZero();
    assertThat(unreadable()).isZero();

    read("c/shop/broken", BROKEN);
    read("c/shop/odd", "{\"kind\":\"ConfigMap\"}");
    assertThat(rejected()).isEqualTo(2);
    assertThat(unreadable()).as("two policies unreadable now").isEqualTo(2);

    read(null, DENY_ALL);
    read("no-slashes", DENY_ALL);
    assertThat(rejected()).as("a record without a key and one with a malformed key").isEqualTo(4);
    assertThat(unreadable()).as("the malformed key is unusable until its tombstone").isEqualTo(3);

    read("c/shop/broken", DENY_ALL);
    read("c/shop/odd", null);
    read("no-slashes", null);
    assertThat(unreadable()).as("replaced by a readable record or a tombstone").isZero();
    assertThat(rejected()).as("each record counted once, replacing it counts nothing").isEqualTo(4);

    // An unreadable object still goes on, so the object it replaces is left out too; records that
    // name nothing do not.
    assertThat(passedOn)
        .containsExactly(
            "c/shop/deny", "c/shop/broken", "c/shop/odd", "c/shop/broken", "c/shop/odd");
  }

  @Test
  void aRejectedRecordsKeyAndReasonAreLoggedOnOneShortLine() {
    assertThat(RejectedPolicyRecords.shown("c/shop/x\nforged line\r\u001b[31m"))
        .isEqualTo("c/shop/x?forged line??[31m");
    assertThat(RejectedPolicyRecords.shown("k".repeat(10_000))).hasSize(303).endsWith("...");
  }

  private void read(String key, String value) throws Exception {
    deserializer.deserialize(
        new ConsumerRecord<>(
            "podflow.policies.v1",
            0,
            offset++,
            key == null ? null : key.getBytes(StandardCharsets.UTF_8),
            value == null ? null : value.getBytes(StandardCharsets.UTF_8)),
        new Collector<>() {
          @Override
          public void collect(PolicyChange change) {
            passedOn.add(change.key);
          }

          @Override
          public void close() {}
        });
  }

  private long rejected() {
    return ((Counter) metrics.get(PolicySource.Deserializer.REJECTED)).getCount();
  }

  private int unreadable() {
    return (Integer) ((Gauge<?>) metrics.get(PolicySource.Deserializer.UNREADABLE)).getValue();
  }

  /** A metric group that keeps what is registered in it, as a reporter would see it. */
  private DeserializationSchema.InitializationContext context() {
    MetricGroup group =
        new UnregisteredMetricsGroup() {
          @Override
          public <C extends Counter> C counter(String name, C counter) {
            metrics.put(name, counter);
            return counter;
          }

          @Override
          public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
            metrics.put(name, gauge);
            return gauge;
          }
        };
    return new DeserializationSchema.InitializationContext() {
      @Override
      public MetricGroup getMetricGroup() {
        return group;
      }

      @Override
      public UserCodeClassLoader getUserCodeClassLoader() {
        return SimpleUserCodeClassLoader.create(getClass().getClassLoader());
      }
    };
  }
}
