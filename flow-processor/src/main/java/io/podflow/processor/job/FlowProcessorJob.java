package io.podflow.processor.job;

import io.podflow.processor.sink.alertmanager.AlertmanagerSink;
import io.podflow.processor.sink.kafka.DeadLetterSink;
import io.podflow.processor.sink.kafka.DeadLetterTopic;
import io.podflow.processor.sink.kafka.TextSink;
import io.podflow.processor.sink.opensearch.Document;
import io.podflow.processor.sink.opensearch.FlowDocuments;
import io.podflow.processor.sink.opensearch.OpenSearchEndpoint;
import io.podflow.processor.sink.opensearch.OpenSearchSink;
import io.podflow.processor.sink.opensearch.ViolationDocuments;
import io.podflow.processor.source.ClampedEventTime;
import io.podflow.processor.source.FlowRecordSource;
import io.podflow.processor.source.PolicyChange;
import io.podflow.processor.source.PolicySource;
import io.podflow.processor.verdict.ServiceJoin;
import io.podflow.processor.verdict.Violation;
import io.podflow.schema.ConnectionKey;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.kafka.CompactedTopicCheck;
import java.time.Duration;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.admin.Admin;

/**
 * The flow processor: flow records from Kafka, merged per connection and judged against the
 * cluster's NetworkPolicies (broadcast from the compacted policy topic), indexed into OpenSearch;
 * violations counted per minute into their own index and raised as alerts (Alertmanager and a Kafka
 * topic); records it cannot read go to the dead-letter topic. Checkpointed; offsets live in
 * checkpoints and documents have content-derived ids, so a restore replays into the same documents.
 *
 * <p>Runs on a Flink cluster (the shaded jar, {@code --key=value} arguments or {@code
 * PODFLOW_PROCESSOR_*} variables; see {@link ProcessorConfig#parse}) or in a MiniCluster (tests,
 * the demo) through {@link #build}.
 */
public final class FlowProcessorJob {
  private FlowProcessorJob() {}

  public static void main(String[] args) throws Exception {
    ProcessorConfig config = ProcessorConfig.parse(args, System.getenv());
    requireCompactedPolicies(config);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(settings());
    configure(env, config);
    build(env, config);
    env.execute("podflow flow processor");
  }

  /**
   * Refuses to start unless the policies topic is compacted (the reason and the fix in the
   * message), asking Kafka with the job's own client settings. A missing topic is refused too: a
   * broker that creates topics on first use would create it not compacted, and the job would judge
   * flows on policies that age out.
   *
   * @throws IllegalStateException saying what was found and how to fix it
   */
  public static void requireCompactedPolicies(ProcessorConfig config) {
    try (Admin admin =
        Admin.create(
            config.kafkaProperties().adminConfig(config.bootstrapServers(), CHECK_TIMEOUT_MS))) {
      CompactedTopicCheck.Result result =
          CompactedTopicCheck.check(
              admin,
              config.policiesTopic(),
              config.bootstrapServers(),
              Duration.ofMillis(CHECK_TIMEOUT_MS));
      if (!result.compacted()) {
        throw new IllegalStateException(
            "podflow flow processor will not start: " + result.message());
      }
    }
  }

  private static final int CHECK_TIMEOUT_MS = 30_000;

  /**
   * Restarts after a failure, with a growing delay, and never gives up for good. A checkpoint that
   * expires does not restart the job: it expires when the OpenSearch sink holds the input back
   * (OpenSearch away or refusing podflow for longer than its buffer lasts plus the checkpoint
   * timeout), and a restart would only replay into the same wait; offsets advance only with a
   * completed checkpoint, so nothing is lost meanwhile, and Flink's numberOfFailedCheckpoints and
   * the sink's opensearchRefusedStatus say why.
   */
  public static Configuration settings() {
    Configuration c = new Configuration();
    c.set(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER, Integer.MAX_VALUE);
    c.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
    c.set(
        RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF,
        Duration.ofSeconds(1));
    c.set(
        RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF,
        Duration.ofSeconds(60));
    return c;
  }

  /** Checkpointing on, streaming mode, restarts as {@link #settings}. */
  public static void configure(StreamExecutionEnvironment env, ProcessorConfig config) {
    env.configure(settings());
    env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
    env.enableCheckpointing(config.checkpointInterval().toMillis());
  }

  /** Adds the job's sources, operators and sinks to {@code env}. */
  public static void build(StreamExecutionEnvironment env, ProcessorConfig config) {
    Pipeline p = pipeline(env, config);
    p.deadLetters()
        .sinkTo(
            DeadLetterSink.create(
                config.bootstrapServers(), config.kafkaProperties(), config.deadLetterTopic()))
        .name("dead letters")
        .uid("dead-letters");
    p.alerts()
        .sinkTo(
            TextSink.create(
                config.bootstrapServers(), config.kafkaProperties(), config.alertsTopic()))
        .name("alerts topic")
        .uid("alerts-topic");
    if (config.alertmanager() != null) {
      p.alerts()
          .sinkTo(
              new AlertmanagerSink(
                  config.alertmanager(), config.alertmanagerAuth(), Duration.ofSeconds(30)))
          .name("alertmanager")
          .uid("alertmanager");
    }
    p.documents()
        .sinkTo(
            new OpenSearchSink(
                new OpenSearchEndpoint(config.openSearch(), config.openSearchAuth()),
                config.bulkActions(),
                config.bulkInterval(),
                new DeadLetterTopic(
                    config.bootstrapServers(), config.kafkaProperties(), config.deadLetterTopic())))
        .name("opensearch")
        .uid("opensearch");
  }

  /** What the job's sinks take: documents for OpenSearch, alerts, dead letters. */
  public record Pipeline(
      DataStream<Document> documents,
      DataStream<String> alerts,
      DataStream<DeadLetter> deadLetters) {}

  /** The job without its sinks (benchmarks attach their own). */
  public static Pipeline pipeline(StreamExecutionEnvironment env, ProcessorConfig config) {
    SingleOutputStreamOperator<FlowRecord> decoded =
        env.fromSource(
                FlowRecordSource.create(
                    config.bootstrapServers(),
                    config.kafkaProperties(),
                    config.flowsTopic(),
                    config.groupId(),
                    config.bounded()),
                // In the source, so every Kafka partition has its own watermark: event time is
                // the slowest partition's, and a partition read ahead never makes others late.
                WatermarkStrategy.<byte[]>forBoundedOutOfOrderness(config.outOfOrderness())
                    .withTimestampAssigner(new ClampedEventTime(config.futureTolerance()))
                    .withIdleness(config.idleness()),
                "flow records")
            .uid("flow-records")
            .process(new DecodeFlows(), FlowRecordTypeInfo.INSTANCE)
            .name("decode")
            .uid("decode");

    BroadcastStream<PolicyChange> policies =
        env.fromSource(
                PolicySource.create(
                    config.bootstrapServers(),
                    config.kafkaProperties(),
                    config.policiesTopic(),
                    config.groupId(),
                    config.bounded()),
                // Policies have no event time: they must never hold back the flows' event time,
                // which the operator they join takes as the lower of its two inputs'.
                WatermarkStrategy.<PolicyChange>forGenerator(c -> new AlwaysIdle<>()),
                "policies")
            .uid("policies")
            .broadcast(PairAndJudge.POLICIES);

    SingleOutputStreamOperator<FlowRecord> merged =
        decoded
            .keyBy(ConnectionKey::hash, Types.LONG)
            .connect(policies)
            .process(
                new PairAndJudge(
                    PairAndJudge.Pairing.REPORTERS, config.mergeWindow(), config.hold(), true),
                FlowRecordTypeInfo.INSTANCE)
            .name("merge reporters and judge")
            .uid("merge-reporters");

    DataStream<FlowRecord> joined =
        merged
            .getSideOutput(PairAndJudge.SERVICE_SIDES)
            .keyBy(ServiceJoin::clientKey, Types.LONG)
            .connect(policies)
            .process(
                new PairAndJudge(
                    PairAndJudge.Pairing.SERVICES, config.mergeWindow(), config.hold(), false),
                FlowRecordTypeInfo.INSTANCE)
            .name("join services and judge")
            .uid("join-services-and-judge");

    // What follows the two judging stages is applied to each separately, not to their union:
    // an operator with one input is chained to the one before it (the record is handed over), one
    // with two is not (every record serialized and read again).
    DataStream<Violation> violations =
        violationsOf(merged, "violations")
            .union(violationsOf(joined, "service violations"))
            .keyBy(ViolationsPerMinute::key, Types.STRING)
            .process(new ViolationsPerMinute(), TypeInformation.of(Violation.class))
            .name("violations per minute")
            .uid("violations-per-minute");

    DataStream<String> alerts =
        violations
            .keyBy(Violation::alertKey, Types.STRING)
            .process(new AlertLifecycle(config.alertResolveAfter()), Types.STRING)
            .name("alerts")
            .uid("alerts");
    DataStream<Document> documents =
        merged
            .map(new ToDocument(), TypeInformation.of(Document.class))
            .name("flow documents")
            .union(
                joined
                    .map(new ToDocument(), TypeInformation.of(Document.class))
                    .name("service flow documents"),
                violations
                    .map(new ToViolationDocument(), TypeInformation.of(Document.class))
                    .name("violation documents"));
    return new Pipeline(documents, alerts, decoded.getSideOutput(DecodeFlows.DEAD_LETTERS));
  }

  private static DataStream<Violation> violationsOf(DataStream<FlowRecord> judged, String name) {
    return judged
        .flatMap(
            (FlowRecord r, Collector<Violation> out) -> Violation.of(r).forEach(out::collect),
            TypeInformation.of(Violation.class))
        .name(name);
  }

  private static final class ToViolationDocument implements MapFunction<Violation, Document> {
    private static final long serialVersionUID = 1L;
    private transient ViolationDocuments documents;

    @Override
    public Document map(Violation v) {
      if (documents == null) {
        documents = new ViolationDocuments();
      }
      return documents.of(v);
    }
  }

  /**
   * The watermarks of a stream without event time: none, and always idle, so the operator it joins
   * takes its event time from the other input alone. (Saying "all of time has passed" instead would
   * be wrong the moment the flows go quiet: with every flow partition idle, that watermark alone
   * would reach the operator and fire every timer, releasing records before their partners and
   * dropping the violation counts still being summed.)
   */
  private static final class AlwaysIdle<T>
      implements org.apache.flink.api.common.eventtime.WatermarkGenerator<T> {
    @Override
    public void onEvent(
        T event, long timestamp, org.apache.flink.api.common.eventtime.WatermarkOutput out) {}

    @Override
    public void onPeriodicEmit(org.apache.flink.api.common.eventtime.WatermarkOutput out) {
      out.markIdle();
    }
  }

  private static final class ToDocument implements MapFunction<FlowRecord, Document> {
    private static final long serialVersionUID = 1L;
    private transient FlowDocuments documents;

    @Override
    public Document map(FlowRecord record) {
      if (documents == null) {
        documents = new FlowDocuments();
      }
      return documents.of(record);
    }
  }
}
