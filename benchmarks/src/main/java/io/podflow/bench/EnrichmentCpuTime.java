package io.podflow.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link EnrichmentBenchmark}'s two methods in alternating rounds, each timed by the thread's CPU
 * time: on a machine whose load keeps a thread off its core most of the time, wall time (JMH's)
 * measures the load; CPU time measures the code, and the alternation puts the reference beside it
 * in every round. Prints the median ns per record of each and their ratio.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.podflow.bench.EnrichmentCpuTime [sources]
 * [recordsPerFlow] [rounds]}
 */
public final class EnrichmentCpuTime {
  private static final int RECORDS = 1 << 18;

  private EnrichmentCpuTime() {}

  public static void main(String[] args) throws Exception {
    String sources = args.length > 0 ? args[0] : "node";
    int recordsPerFlow = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 9;
    EnrichmentBenchmark bench = new EnrichmentBenchmark();
    bench.pods = 100_000;
    bench.sources = sources;
    bench.recordsPerFlow = recordsPerFlow;
    bench.setUp();
    Blackhole sink =
        new Blackhole(
            "Today's password is swordfish. I understand instantiating Blackholes directly is"
                + " dangerous.");
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    double[] enrich = new double[rounds];
    double[] reference = new double[rounds];
    for (int warm = 0; warm < 3; warm++) {
      for (int i = 0; i < RECORDS; i++) {
        sink.consume(bench.enrichRecord());
        bench.hashMapLookups(sink);
      }
    }
    for (int round = 0; round < rounds; round++) {
      long start = threads.getCurrentThreadCpuTime();
      for (int i = 0; i < RECORDS; i++) {
        sink.consume(bench.enrichRecord());
      }
      long middle = threads.getCurrentThreadCpuTime();
      for (int i = 0; i < RECORDS; i++) {
        bench.hashMapLookups(sink);
      }
      long end = threads.getCurrentThreadCpuTime();
      enrich[round] = (double) (middle - start) / RECORDS;
      reference[round] = (double) (end - middle) / RECORDS;
    }
    double e = median(enrich);
    double r = median(reference);
    System.out.printf(
        "sources=%s recordsPerFlow=%d rounds=%d: enrich %.0f ns/record (rounds %s),"
            + " HashMap reference %.0f ns (rounds %s), ratio %.2f%n",
        sources, recordsPerFlow, rounds, e, brief(enrich), r, brief(reference), e / r);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static String brief(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return String.format("%.0f-%.0f", sorted[0], sorted[sorted.length - 1]);
  }
}
