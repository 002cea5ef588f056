package io.podflow.bench;

import io.podflow.processor.policy.manifest.PublishedPolicies;
import io.podflow.processor.sink.opensearch.Document;
import io.podflow.processor.sink.opensearch.FlowDocuments;
import io.podflow.processor.verdict.FlowJudge;
import io.podflow.processor.verdict.ReporterMerge;
import io.podflow.schema.ConnectionKey;
import io.podflow.schema.flow.v1.FlowRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The flow processor's document building: a judged, merged record (both ends named, a verdict) to
 * its OpenSearch document (JSON in UTF-8, index and id), against the reference of the same record's
 * protobuf encoding (the least a serializer of it can do), in the same run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FlowDocumentBenchmark {
  private FlowRecord[] records;
  private FlowDocuments documents;
  private int next;

  @Setup
  public void setUp() {
    PublishedPolicies policies = new PublishedPolicies("bench");
    policies.apply(
        "bench/ns-1/deny-from-other-teams",
        ("{\"kind\":\"NetworkPolicy\",\"metadata\":{\"namespace\":\"ns-1\","
                + "\"name\":\"deny-from-other-teams\"},\"spec\":{\"podSelector\":{},\"ingress\":"
                + "[{\"from\":[{\"podSelector\":{\"matchLabels\":{\"team\":\"team-1\"}}}]}]}}")
            .getBytes(StandardCharsets.UTF_8));
    Map<Long, FlowRecord> waiting = new HashMap<>();
    List<FlowRecord> judged = new ArrayList<>();
    for (FlowRecord r : ProcessorThroughput.records(3_000)) {
      FlowRecord other = waiting.remove(ConnectionKey.hash(r));
      if (other != null) {
        judged.add(FlowJudge.judge(ReporterMerge.merge(other, r), policies.policySet()));
      } else {
        waiting.put(ConnectionKey.hash(r), r);
      }
    }
    records = judged.subList(0, 1_024).toArray(FlowRecord[]::new);
    documents = new FlowDocuments();
  }

  @Benchmark
  public Document document() {
    return documents.of(records[next++ & 1_023]);
  }

  /** The reference: the same record as protobuf bytes. */
  @Benchmark
  public byte[] protobufBytes() {
    return records[next++ & 1_023].toByteArray();
  }
}
