package io.podflow.agent.app;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.podflow.agent.DaemonThreads;
import io.podflow.agent.config.AgentConfig;
import io.podflow.agent.decode.MalformedReason;
import io.podflow.agent.enrich.ClusterMetadata;
import io.podflow.agent.enrich.Enricher;
import io.podflow.agent.enrich.KubernetesWatcher;
import io.podflow.agent.enrich.PodInterfaces;
import io.podflow.agent.enrich.Reporters;
import io.podflow.agent.export.FlowSink;
import io.podflow.agent.export.RecordExporter;
import io.podflow.agent.k8s.Informers;
import io.podflow.agent.policies.PolicyPublisher;
import io.podflow.agent.policies.PolicySettings;
import io.podflow.agent.publish.FlowPublisher;
import io.podflow.schema.flow.v1.EnrichmentStatus;
import io.podflow.schema.flow.v1.FlowRecord;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agent: live capture and flow tables, records named from the Kubernetes API and published
 * to Kafka, with Prometheus metrics and probes on HTTP. Closing it flushes every flow table and the
 * publisher (what Kafka cannot take by then stays in the spool).
 */
public final class Agent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

  private final AgentConfig config;
  private final KubernetesClient client;
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ClusterMetadata metadata;
  private final ScheduledExecutorService housekeeping =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("podflow-housekeeping"));
  private KubernetesWatcher watcher;
  private Enricher enricher;
  private FlowPublisher publisher;
  private final PodInterfaces podInterfaces = new PodInterfaces();
  private final Reporters reporters;
  private PolicyPublisher policies;
  private RecordExporter exporter;
  private LiveFlows flows;
  private AgentHttp http;
  private volatile boolean started;
  private final Readiness readiness =
      new Readiness(
          Readiness.signalsOf(() -> started, () -> flows), System::nanoTime, SATURATION_WINDOW);

  /** How long the agent stays saturated after its flow budget last forced an early export. */
  static final Duration SATURATION_WINDOW = Duration.ofSeconds(30);

  private final java.util.List<AutoCloseable> binders = new java.util.ArrayList<>();

  /**
   * @param client the API server's client; null when enrichment is off
   */
  public Agent(AgentConfig config, KubernetesClient client) {
    this.config = config;
    this.client = client;
    this.metadata = new ClusterMetadata(config.enrichment().tombstone());
    this.reporters =
        new Reporters(
            podInterfaces, config.node(), name -> flows != null && flows.capture().captures(name));
  }

  /** Starts serving probes, then the watcher (waiting for its lists), publisher and capture. */
  public Agent start() throws InterruptedException {
    http =
        new AgentHttp(
                config.httpAddress(), config.httpPort(), registry, this::notReady, this::unhealthy)
            .start();
    podInterfaces.refresh();
    if (config.enrichment().enabled()) {
      watcher = new KubernetesWatcher(client, metadata, Agent::now).start(Informers.SYNC_TIMEOUT);
    }
    enricher =
        new Enricher(
            metadata, config.enrichment().clusterCidrs(), config.enrichment().staleAfter());
    publisher = new FlowPublisher(config.kafka(), "podflow-agent-" + config.node());
    if (config.policies().enabled() && client != null) {
      policies =
          new PolicyPublisher(
                  client,
                  PolicySettings.of(
                          config.cluster(), config.agent(), config.policies().leaseNamespace())
                      .withTopic(config.policies().topic()),
                  config.kafka())
              .start();
    }
    RecordExporter.Builder records =
        RecordExporter.builder(config.cluster(), config.node(), config.agent());
    if (config.enrichment().enabled()) {
      records.enrichedBy(enricher, Agent::now).reportedAs(reporters::of);
    }
    exporter = records.build(publisherSink(publisher));
    flows = new LiveFlows(config.capture(), config.flows(), exporter).start();
    registerMetrics(registry);
    housekeeping.scheduleWithFixedDelay(this::housekeeping, 5, 5, TimeUnit.SECONDS);
    started = true;
    LOG.atInfo()
        .addKeyValue("cluster", config.cluster())
        .addKeyValue("node", config.node())
        .addKeyValue("kafka", config.kafka().bootstrapServers())
        .addKeyValue("http", http.port())
        .log("podflow agent running");
    return this;
  }

  /** The HTTP port (metrics and probes), useful when configured as 0. */
  public int httpPort() {
    return http.port();
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Started, and every reason not to be ready is absent (see {@link #notReady}). */
  public boolean isReady() {
    return readiness.reasons().isEmpty();
  }

  /** Why the agent is not ready, comma-separated, or null when it is. */
  private String notReady() {
    var reasons = readiness.reasons();
    if (reasons.isEmpty()) {
      return null;
    }
    StringBuilder b = new StringBuilder();
    for (Readiness.Reason r : reasons) {
      b.append(b.length() == 0 ? "" : ", ").append(r.label());
    }
    if (reasons.contains(Readiness.Reason.INTERFACE_NOT_CAPTURED)) {
      b.append(" ").append(flows.capture().uncaptured());
    }
    if (reasons.contains(Readiness.Reason.RESCAN_FAILED)) {
      b.append(" (").append(flows.capture().rescanFailure()).append(')');
    }
    return b.toString();
  }

  /**
   * Why the agent cannot work any more, or null: a capture or scan thread hit a {@link
   * VirtualMachineError} (the heap ran out) and -XX:+ExitOnOutOfMemoryError did not end the JVM
   * (not set): the liveness probe fails and the kubelet restarts the agent.
   */
  private String unhealthy() {
    Throwable fatal = flows == null ? null : flows.capture().fatal();
    return fatal == null ? null : "capture failed for good: " + fatal;
  }

  /** Interfaces captured now. */
  public java.util.Set<String> interfaces() {
    return flows.capture().interfaces();
  }

  @Override
  public void close() {
    started = false;
    housekeeping.shutdownNow();
    if (flows != null) {
      flows.close(); // exports every flow still held
    }
    // Flow records first: the grace period is theirs, policies are published again anyway.
    if (publisher != null) {
      publisher.close(Duration.ofSeconds(10));
    }
    if (policies != null) {
      policies.close();
    }
    if (watcher != null) {
      watcher.close();
    }
    if (http != null) {
      http.close();
    }
    for (AutoCloseable binder : binders) {
      try {
        binder.close();
      } catch (Exception e) {
        LOG.debug("closing a JVM metrics binder: {}", e.toString());
      }
    }
  }

  /** The publisher as the export stage's sink: the spool's drops are counted as loss. */
  private static FlowSink publisherSink(FlowPublisher publisher) {
    return new FlowSink() {
      @Override
      public void publish(FlowRecord record) {
        publisher.publish(record);
      }

      @Override
      public long dropped() {
        return publisher.spoolDropped();
      }
    };
  }

  private void housekeeping() {
    try {
      if (watcher != null) {
        watcher.checkWatching();
      }
      metadata.purge(now());
      podInterfaces.refresh();
      readiness.reasons(); // notices early exports even when nothing probes
    } catch (RuntimeException e) {
      LOG.warn("housekeeping failed: {}", e.toString());
    }
  }

  private void registerMetrics(MeterRegistry r) {
    registerJvmMetrics(r);
    for (Readiness.Reason reason : Readiness.Reason.values()) {
      Gauge.builder(
              "podflow_agent_not_ready", this, a -> a.readiness.reasons().contains(reason) ? 1 : 0)
          .description("1 while the agent is not ready for this reason (/readyz answers 503)")
          .tag("reason", reason.label())
          .register(r);
    }
    gauge(
        r,
        "podflow_interfaces_captured",
        "Interfaces being captured",
        x -> flows.capture().interfaces().size());
    gauge(
        r,
        "podflow_interfaces_uncaptured",
        "Interfaces that match but cannot be captured",
        x -> flows.capture().uncaptured().size());
    counter(
        r,
        "podflow_interface_scan_failures",
        "Interface scans that failed",
        x -> flows.capture().rescanFailures());
    counter(
        r,
        "podflow_capture_failures",
        "Captures that could not start or died",
        x -> flows.capture().captureFailures());
    gauge(
        r,
        "podflow_flow_budget_flows",
        "Flows the agent's tables may hold together (flows.maxFlows)",
        x -> flows.budget().maxFlows());
    gauge(
        r,
        "podflow_flow_budget_reserved_flows",
        "Room for flows the tables hold now, of the budget",
        x -> flows.budget().reserved());
    counter(r, "podflow_frames", "Frames captured", x -> flows.totals().frames());
    counter(
        r,
        "podflow_records_reported_elsewhere",
        "Records not published because the pod's own interface reports the connection",
        x -> exporter.reportedElsewhere());
    counter(r, "podflow_frames_not_ip", "Frames that were not IP", x -> flows.totals().notIp());
    for (MalformedReason reason : MalformedReason.values()) {
      FunctionCounter.builder("podflow_frames_malformed", this, x -> flows.malformed(reason))
          .description("Frames malformed or cut short, by reason")
          .tag("reason", reason.label())
          .register(r);
    }
    counter(
        r,
        "podflow_kernel_drops",
        "Packets the kernel dropped (buffer full)",
        x -> flows.totals().kernelDrops());
    counter(
        r,
        "podflow_interface_drops",
        "Packets the interfaces dropped",
        x -> flows.totals().interfaceDrops());
    gauge(
        r,
        "podflow_flows_active",
        "Flows held in the flow tables",
        x -> flows.totals().activeFlows());
    counter(
        r,
        "podflow_flows_evicted",
        "Flows exported early because a table was full",
        x -> flows.totals().evictedFlows());
    counter(
        r,
        "podflow_records_exported",
        "Flow records exported",
        x -> flows.totals().exportedRecords());
    counter(
        r,
        "podflow_kafka_acknowledged",
        "Records Kafka acknowledged",
        x -> publisher.acknowledged());
    counter(r, "podflow_kafka_refused", "Records Kafka refused for good", x -> publisher.refused());
    counter(r, "podflow_spooled", "Records that went through the spool", x -> publisher.spooled());
    counter(
        r,
        "podflow_spool_dropped",
        "Records the spool lost: dropped when full, refused by the disk, or found damaged",
        x -> publisher.spoolDropped());
    counter(
        r,
        "podflow_spool_damaged",
        "Records found damaged in the spool and skipped (part of podflow_spool_dropped)",
        x -> publisher.spoolDamaged());
    gauge(r, "podflow_spool_bytes", "Bytes waiting in the spool", x -> publisher.spoolBytes());
    gauge(
        r,
        "podflow_spool_age_seconds",
        "How long the oldest spooled record has waited",
        x -> publisher.spoolAgeSeconds());
    gauge(
        r,
        "podflow_kafka_request_latency_seconds",
        "Average latency of the producer's requests to Kafka",
        x -> publisher.requestLatencySeconds());
    gauge(
        r, "podflow_spool_records", "Records waiting in the spool", x -> publisher.spoolRecords());
    gauge(
        r,
        "podflow_kubernetes_staleness_seconds",
        "How long the API server has not been watched (0 while it is)",
        x -> metadata.stalenessNanos(now()) / 1e9);
    if (policies != null) {
      gauge(
          r,
          "podflow_policy_publisher_leader",
          "1 on the agent that publishes policies",
          x -> policies.isLeader() ? 1 : 0);
      counter(
          r,
          "podflow_policy_publish_failures",
          "Policy objects Kafka did not take",
          x -> policies.failed());
    }
    if (watcher != null) {
      counter(
          r,
          "podflow_kubernetes_rejected",
          "API objects the agent could not take in",
          x -> watcher.rejected());
    }
    for (EnrichmentStatus status : EnrichmentStatus.values()) {
      if (status != EnrichmentStatus.UNRECOGNIZED) {
        FunctionCounter.builder("podflow_records_enriched", this, a -> a.exporter.enriched(status))
            .description("Records by how complete their enrichment was")
            .tag("status", status.name().substring("ENRICHMENT_STATUS_".length()).toLowerCase())
            .register(r);
      }
    }
  }

  /** Heap and other memory pools, GC, threads, classes, CPU, open files, uptime. */
  private void registerJvmMetrics(MeterRegistry r) {
    new JvmMemoryMetrics().bindTo(r);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(r);
    binders.add(gc);
    new JvmThreadMetrics().bindTo(r);
    new ClassLoaderMetrics().bindTo(r);
    new ProcessorMetrics().bindTo(r);
    new FileDescriptorMetrics().bindTo(r);
    new UptimeMetrics().bindTo(r);
  }

  // Meters read through the agent itself: Micrometer holds their object weakly.
  private void counter(MeterRegistry r, String name, String help, ToDoubleFunction<Agent> value) {
    FunctionCounter.builder(name, this, value).description(help).register(r);
  }

  private void gauge(MeterRegistry r, String name, String help, ToDoubleFunction<Agent> value) {
    Gauge.builder(name, this, value).description(help).register(r);
  }

  private static long now() {
    return System.currentTimeMillis() * 1_000_000L;
  }
}
