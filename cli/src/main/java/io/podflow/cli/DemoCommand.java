package io.podflow.cli;

import io.podflow.processor.job.FlowDocumentStream;
import io.podflow.processor.job.FlowTopics;
import io.podflow.processor.sink.opensearch.IndexTemplates;
import io.podflow.processor.sink.opensearch.OpenSearchEndpoint;
import io.podflow.schema.PodflowIndex;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.stack.LocalStack;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.admin.NewTopic;
import org.opensearch.client.opensearch.OpenSearchClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code podflow demo}: the local stack with flow records pushed through the real path (Kafka, a
 * Flink job on a MiniCluster, OpenSearch through podflow's index template), then kept up so a
 * person can query it.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Start the local stack (Kafka, OpenSearch, a Flink MiniCluster), push sample flow records"
          + " through it and print where to look.",
      "Ctrl-C stops everything and removes the stack's data."
    })
final class DemoCommand implements Callable<Integer> {

  @Option(
      names = "--duration",
      defaultValue = "120",
      description =
          "Seconds to keep the stack up after the records are indexed (0: stop at once). Default: ${DEFAULT-VALUE}.")
  long durationSeconds;

  @Option(
      names = "--data-dir",
      description = "Keep the stack's data and logs in this directory instead of a temporary one.")
  Path dataDir;

  private final PrintStream out = System.out;

  @Override
  public Integer call() throws Exception {
    if (durationSeconds < 0) {
      throw new IllegalArgumentException("--duration must be 0 or more seconds");
    }
    LocalStack.Options options =
        dataDir == null
            ? LocalStack.Options.defaults()
            : new LocalStack.Options(dataDir, true, Duration.ofSeconds(180));
    out.println("podflow demo: starting Kafka and OpenSearch on loopback (about 15-60 s) ...");
    LocalStack stack = LocalStack.start(options);
    CountDownLatch stopped = new CountDownLatch(1);
    Thread cleanup =
        new Thread(
            () -> {
              out.println("podflow demo: stopping the stack ...");
              stack.close();
              stopped.countDown();
            },
            "podflow-demo-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      int documents = pushSamples(stack);
      printWhereToLook(stack, documents);
      if (durationSeconds > 0) {
        out.printf("%nThe stack stays up for %d s; Ctrl-C stops it earlier.%n", durationSeconds);
        stopped.await(durationSeconds, TimeUnit.SECONDS);
      }
      return documents > 0 ? 0 : 1;
    } finally {
      if (removeHook(cleanup)) {
        stack.close();
        out.println(
            "podflow demo: stack stopped"
                + (dataDir == null ? " and its data removed." : ", data kept in " + dataDir));
      }
    }
  }

  /** False when the JVM is already shutting down: then the hook is stopping the stack. */
  private static boolean removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
      return true;
    } catch (IllegalStateException shuttingDown) {
      return false;
    }
  }

  private int pushSamples(LocalStack stack) throws Exception {
    stack.kafka().createTopics(List.of(new NewTopic(FlowTopics.FLOWS, 4, (short) 1)));
    List<FlowRecord> samples = SampleFlows.endingAt(Instant.now());
    int produced = DemoKafka.produce(stack.kafka().bootstrapServers(), samples);
    out.printf(
        "  produced %d protobuf flow records to Kafka topic %s%n", produced, FlowTopics.FLOWS);

    List<String> documents = runFlinkJob(stack.kafka().bootstrapServers());
    out.printf(
        "  a Flink job on a local MiniCluster decoded %d records into documents%n",
        documents.size());

    OpenSearchClient client = new OpenSearchEndpoint(stack.openSearch().httpUri()).openClient();
    IndexTemplates.install(client);
    int indexed = DemoIndexer.index(client, documents);
    out.printf(
        "  indexed %d documents into OpenSearch alias %s%n", indexed, PodflowIndex.FLOWS.alias());
    return indexed;
  }

  private static List<String> runFlinkJob(String bootstrap) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1);
    List<String> documents = new ArrayList<>();
    try (CloseableIterator<String> results =
        FlowDocumentStream.fromKafka(env, bootstrap, "podflow-demo", true)
            .executeAndCollect("podflow demo")) {
      results.forEachRemaining(documents::add);
    }
    return documents;
  }

  private void printWhereToLook(LocalStack stack, int documents) {
    String os = stack.openSearch().httpUri().toString();
    String alias = PodflowIndex.FLOWS.alias();
    out.println();
    out.println("Where to look:");
    out.printf("  Kafka       %s  topic %s%n", stack.kafka().bootstrapServers(), FlowTopics.FLOWS);
    out.printf(
        "  OpenSearch  %s  alias %s (%d documents, cluster '%s')%n",
        os, alias, documents, SampleFlows.CLUSTER);
    out.printf("  Data, logs  %s%n", stack.dir());
    out.println();
    out.println("Paste these while it runs:");
    out.printf("  curl -s '%s/_cat/indices/podflow-*?v'%n", os);
    out.printf(
        "  curl -s '%s/%s/_search?pretty' -H 'Content-Type: application/json' -d '{\"query\":{\"term\":{\"source.ip\":\"10.244.1.0/24\"}}}'%n",
        os, alias);
    out.printf(
        "  curl -s '%s/%s/_search?pretty&q=destination.kubernetes.namespace:shop'%n", os, alias);
    out.printf(
        "  curl -s '%s/%s/_search?pretty' -H 'Content-Type: application/json' -d '{\"query\":{\"term\":{\"source.kubernetes.labels.app\":\"web\"}}}'%n",
        os, alias);
    out.printf(
        "  curl -s '%s/%s/_search?pretty&size=0' -H 'Content-Type: application/json' -d '{\"aggs\":{\"by_dst\":{\"terms\":{\"field\":\"destination.kubernetes.workload.name\"},\"aggs\":{\"bytes\":{\"sum\":{\"field\":\"network.bytes\"}}}}}}'%n",
        os, alias);
  }
}
