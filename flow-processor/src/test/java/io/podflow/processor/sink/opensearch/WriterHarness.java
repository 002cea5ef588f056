package io.podflow.processor.sink.opensearch;

import io.podflow.processor.sink.kafka.DeadLetterTopic;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A {@link BulkWriter} outside Flink: its timers are kept and fired by the test ({@link
 * #fireTimers}), its metrics read by name, its dead letters go to Kafka's {@link MockProducer}.
 * Subtask 1, so the retention timer is not set.
 */
final class WriterHarness implements AutoCloseable {
  final MockProducer<byte[], byte[]> deadLetters =
      new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
  private final Map<String, Counter> counters = new HashMap<>();
  private final Map<String, Gauge<?>> gauges = new HashMap<>();
  private final List<ProcessingTimeService.ProcessingTimeCallback> timers = new ArrayList<>();
  final BulkWriter writer;

  WriterHarness(OpenSearchEndpoint endpoint, int bulkActions) {
    this(endpoint, bulkActions, BulkWriter.END_OF_INPUT_WAIT);
  }

  WriterHarness(OpenSearchEndpoint endpoint, int bulkActions, Duration endOfInputWait) {
    writer =
        new BulkWriter(
            endpoint,
            bulkActions,
            Duration.ofHours(1),
            DeadLetterTopic.Producer.over(deadLetters, "podflow-dead-letters"),
            context(),
            List.of(),
            endOfInputWait);
  }

  /** Writes documents 0 to {@code count - 1}. */
  void write(int count) throws Exception {
    for (int i = 0; i < count; i++) {
      writer.write(document(i), null);
    }
  }

  /** Fires the timers set so far (not those they set), as their due time had come. */
  void fireTimers() throws Exception {
    List<ProcessingTimeService.ProcessingTimeCallback> due = new ArrayList<>(timers);
    timers.clear();
    for (var t : due) {
      t.onProcessingTime(System.currentTimeMillis());
    }
  }

  long counter(String name) {
    return counters.get(name).getCount();
  }

  Object gauge(String name) {
    return gauges.get(name).getValue();
  }

  static Document document(int i) {
    return new Document("podflow-flows-2026.12.03", "id" + i, ("{\"n\":" + i + "}").getBytes());
  }

  private WriterInitContext context() {
    ProcessingTimeService time =
        new ProcessingTimeService() {
          @Override
          public long getCurrentProcessingTime() {
            return System.currentTimeMillis();
          }

          @Override
          public java.util.concurrent.ScheduledFuture<?> registerTimer(
              long timestamp, ProcessingTimeCallback target) {
            timers.add(target);
            return null;
          }
        };
    SinkWriterMetricGroup metrics =
        proxy(
            SinkWriterMetricGroup.class,
            (method, args) ->
                switch (method) {
                  case "counter" ->
                      counters.computeIfAbsent((String) args[0], n -> new SimpleCounter());
                  case "gauge" -> {
                    gauges.put((String) args[0], (Gauge<?>) args[1]);
                    yield args[1];
                  }
                  default -> throw new UnsupportedOperationException(method);
                });
    TaskInfo task =
        proxy(
            TaskInfo.class,
            (method, args) -> {
              if (method.equals("getIndexOfThisSubtask")) {
                return 1;
              }
              throw new UnsupportedOperationException(method);
            });
    MailboxExecutor mailbox =
        proxy(
            MailboxExecutor.class,
            (method, args) -> {
              throw new UnsupportedOperationException("backpressure is not under test: " + method);
            });
    return proxy(
        WriterInitContext.class,
        (method, args) ->
            switch (method) {
              case "getProcessingTimeService" -> time;
              case "getMailboxExecutor" -> mailbox;
              case "metricGroup" -> metrics;
              case "getTaskInfo" -> task;
              default -> throw new UnsupportedOperationException(method);
            });
  }

  private interface Answer {
    Object apply(String method, Object[] args);
  }

  private static <T> T proxy(Class<T> type, Answer answer) {
    return type.cast(
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (self, method, args) -> answer.apply(method.getName(), args)));
  }

  @Override
  public void close() throws Exception {
    writer.close();
  }
}
