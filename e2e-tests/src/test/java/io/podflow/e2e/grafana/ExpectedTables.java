package io.podflow.e2e.grafana;

import static java.util.stream.Collectors.collectingAndThen;
import static java.util.stream.Collectors.groupingBy;
import static java.util.stream.Collectors.mapping;
import static java.util.stream.Collectors.summingLong;
import static java.util.stream.Collectors.toSet;

import io.podflow.processor.verdict.Violation;
import io.podflow.schema.flow.v1.Endpoint;
import io.podflow.schema.flow.v1.FlowRecord;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * What panels should show of the loaded traffic, computed from its records and violations: tables
 * keyed as {@link SearchRows#table} keys a panel's rows (bucket keys, outermost first).
 */
record ExpectedTables(KnownTraffic traffic) {
  Map<List<String>, Long> flows(
      Predicate<FlowRecord> which,
      Function<FlowRecord, List<String>> keys,
      ToLongFunction<FlowRecord> value) {
    return traffic.records().stream().filter(which).collect(groupingBy(keys, summingLong(value)));
  }

  /** How many distinct values of something each group of records has (a cardinality metric). */
  Map<List<String>, Long> distinct(
      Predicate<FlowRecord> which,
      Function<FlowRecord, List<String>> keys,
      Function<FlowRecord, String> counted) {
    return traffic.records().stream()
        .filter(which)
        .collect(
            groupingBy(keys, collectingAndThen(mapping(counted, toSet()), s -> (long) s.size())));
  }

  Map<List<String>, Long> violations(
      Predicate<Violation> which,
      Function<Violation, List<String>> keys,
      ToLongFunction<Violation> value) {
    return traffic.violations().stream()
        .filter(which)
        .collect(groupingBy(keys, summingLong(value)));
  }

  /** The distinct values of something in the records, as a terms variable lists them. */
  List<String> values(Predicate<FlowRecord> which, Function<FlowRecord, String> value) {
    return traffic.records().stream().filter(which).map(value).distinct().toList();
  }

  long count(Predicate<FlowRecord> which) {
    return traffic.records().stream().filter(which).count();
  }

  long bytes(Predicate<FlowRecord> which) {
    return traffic.records().stream().filter(which).mapToLong(KnownTraffic::bytes).sum();
  }

  /** An end of the record that is a workload (null: any) of the namespace (null: any). */
  static boolean endIn(FlowRecord r, String namespace, String workload) {
    return List.of(r.getSource(), r.getDestination()).stream()
        .map(Endpoint::getKubernetes)
        .anyMatch(
            k ->
                !k.getWorkloadName().isEmpty()
                    && (namespace == null || k.getNamespace().equals(namespace))
                    && (workload == null || k.getWorkloadName().equals(workload)));
  }

  static String service(FlowRecord r) {
    return r.getDestination().getKubernetes().getServiceName();
  }

  static String workload(Endpoint e) {
    return e.getKubernetes().getWorkloadName();
  }

  static String namespace(Endpoint e) {
    return e.getKubernetes().getNamespace();
  }

  /** An empty field is missing from the document: a terms aggregation labels it {@code none}. */
  static String orElse(String value, String none) {
    return value.isEmpty() ? none : value;
  }

  /** A one-word-prefixed enum value as its JSON keyword: VERDICT_NOT_SELECTED is not_selected. */
  static String keyword(Enum<?> value) {
    String name = value.name();
    return name.substring(name.indexOf('_') + 1).toLowerCase(Locale.ROOT);
  }
}
