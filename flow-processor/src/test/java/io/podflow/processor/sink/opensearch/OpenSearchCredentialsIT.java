package io.podflow.processor.sink.opensearch;

import static io.podflow.processor.sink.opensearch.OpenSearchSinkIT.INDEX;
import static io.podflow.processor.sink.opensearch.OpenSearchSinkIT.deadLetterTopic;
import static io.podflow.processor.sink.opensearch.OpenSearchSinkIT.document;
import static io.podflow.processor.sink.opensearch.OpenSearchSinkIT.ids;
import static io.podflow.processor.sink.opensearch.OpenSearchSinkIT.indexedIds;
import static org.assertj.core.api.Assertions.assertThat;

import io.podflow.processor.job.FlowProcessorJob;
import io.podflow.processor.security.HttpAuth;
import io.podflow.processor.security.SecretSource;
import io.podflow.processor.sink.kafka.DeadLetterTopic;
import io.podflow.schema.kafka.KafkaClientProperties;
import io.podflow.stack.KafkaBroker;
import io.podflow.stack.LocalStack;
import io.podflow.stack.LoopbackCertificates;
import io.podflow.stack.OpenSearchNode;
import io.podflow.stack.OpenSearchSecurity;
import io.podflow.stack.TopicReader;
import io.podflow.stack.junit.LocalStackExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Wrong credentials on OpenSearch with its security plugin (deploy's roles): the sink reports 401
 * (its gauge and counter), the job keeps running without a restart, and once the password file
 * holds the right password every document is indexed once, none lost.
 */
@ExtendWith(LocalStackExtension.class)
class OpenSearchCredentialsIT {
  private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setConfiguration(METRICS.addToConfiguration(new Configuration()))
              .build());

  @Test
  void wrongCredentialsAreReported401WithoutRestartsAndEverythingIsIndexedOnceTheyAreFixed(
      KafkaBroker kafka) throws Exception {
    // Not under @TempDir: the node's user must reach its directory, and JUnit's is root's alone.
    Path dir = Files.createTempDirectory("podflow-credentials-opensearch-");
    try {
      run(kafka, dir);
    } finally {
      LocalStack.deleteTree(dir);
    }
  }

  private static void run(KafkaBroker kafka, Path dir) throws Exception {
    String password = "processor-" + System.nanoTime();
    OpenSearchSecurity security =
        new OpenSearchSecurity(
                LoopbackCertificates.issue(dir.resolve("tls")),
                "admin-" + System.nanoTime(),
                password)
            .withRoles(Files.readString(Path.of("../deploy/base/opensearch/roles.yml")));
    String run = "credentials" + System.nanoTime();
    String topic = deadLetterTopic(kafka, run);
    int count = 600;
    Path passwordFile = dir.resolve("opensearch-password");
    Files.writeString(passwordFile, "not-" + password);

    try (OpenSearchNode node =
        OpenSearchNode.startSecured(dir, Duration.ofSeconds(240), security)) {
      HttpAuth auth =
          new HttpAuth(
              OpenSearchSecurity.PROCESSOR_USER,
              SecretSource.file(passwordFile),
              null,
              security.certificates().caPem());
      StreamExecutionEnvironment env =
          StreamExecutionEnvironment.getExecutionEnvironment(FlowProcessorJob.settings());
      env.setParallelism(1);
      env.enableCheckpointing(1_000);
      String index = INDEX;
      env.fromSource(
              new DataGeneratorSource<>(
                  i -> document(index, run, (int) (long) i, "10.0.0.1"),
                  count,
                  RateLimiterStrategy.perSecond(20),
                  TypeInformation.of(Document.class)),
              WatermarkStrategy.noWatermarks(),
              "steady load")
          .sinkTo(
              new OpenSearchSink(
                  new OpenSearchEndpoint(node.httpUri(), auth),
                  100,
                  Duration.ofMillis(200),
                  new DeadLetterTopic(kafka.bootstrapServers(), KafkaClientProperties.NONE, topic)))
          .name("opensearch");
      JobClient job = env.executeAsync("wrong credentials");
      try {
        JobID id = job.getJobID();
        awaitCount(id, "requestsRefused", 3);
        assertThat(gauge(id, "opensearchRefusedStatus")).isEqualTo(401);
        assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        // Found first: count() of a metric not reported is 0 too, which would pass unseen.
        assertThat(METRICS.findMetrics(id, "numRestarts")).as("numRestarts reported").isNotEmpty();
        assertThat(count(id, "numRestarts")).isZero();

        Files.writeString(passwordFile, password); // the Secret fixed
        job.getJobExecutionResult().get(300, TimeUnit.SECONDS);
        assertThat(count(id, "numRestarts")).isZero();
        assertThat(gauge(id, "opensearchRefusedStatus")).isEqualTo(0);
      } finally {
        if (!job.getJobStatus().get().isGloballyTerminalState()) {
          job.cancel().get();
        }
      }
      assertThat(indexedIds(node, run)).isEqualTo(ids(run, count));
    }
    assertThat(TopicReader.all(kafka.bootstrapServers(), topic)).isEmpty();
  }

  private static void awaitCount(JobID job, String name, long atLeast) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (count(job, name) < atLeast) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(name + " did not reach " + atLeast + " in time");
      }
      Thread.sleep(200);
    }
  }

  private static long count(JobID job, String name) {
    long sum = 0;
    for (Metric m : METRICS.findMetrics(job, name).values()) {
      sum +=
          m instanceof Counter c ? c.getCount() : ((Number) ((Gauge<?>) m).getValue()).longValue();
    }
    return sum;
  }

  private static int gauge(JobID job, String name) {
    return (int) count(job, name);
  }
}
