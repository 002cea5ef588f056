package io.podflow.agent.policies;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectorBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.podflow.agent.DaemonThreads;
import io.podflow.agent.k8s.Informers;
import io.podflow.agent.publish.FlowPublisher;
import io.podflow.agent.publish.PublisherConfig;
import io.podflow.schema.kafka.CompactedTopicCheck;
import io.podflow.schema.kafka.KafkaClientProperties;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the cluster's NetworkPolicies and Namespaces (the full objects, as JSON) to a compacted
 * topic, keyed {@code cluster/namespace/name} ({@code cluster//name} for a Namespace), with a
 * tombstone when one is deleted, so that the flow processor always has the policies in force. One
 * agent per cluster does it, elected through a coordination.k8s.io Lease; a newly elected one
 * publishes everything again and tombstones what the topic still holds but the cluster no longer
 * has (deleted while nobody was leader).
 */
public final class PolicyPublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyPublisher.class);

  private final KubernetesClient client;
  private final PolicySettings settings;
  private final PublisherConfig kafkaConfig;
  private final Properties kafka;

  /** Runs the election's callbacks. */
  private final ExecutorService election = daemonThreads("podflow-policy-election");

  /** Leads and follows, in order, so that a long resync never holds up the Lease's renewal. */
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(DaemonThreads.named("podflow-policy-publisher"));

  /** Guards the producer, which informer threads use while the worker swaps it. */
  private final Object sendLock = new Object();

  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private KafkaProducer<byte[], byte[]> producer;
  private CompletableFuture<?> elected;
  private volatile boolean leader;
  private volatile boolean closed;
  private final java.util.concurrent.atomic.AtomicBoolean resyncPending =
      new java.util.concurrent.atomic.AtomicBoolean();
  private volatile long published;
  private final java.util.concurrent.atomic.AtomicLong failed =
      new java.util.concurrent.atomic.AtomicLong();

  public PolicyPublisher(KubernetesClient client, PolicySettings settings, PublisherConfig kafka) {
    this.client = client;
    this.settings = settings;
    this.kafkaConfig = kafka;
    this.kafka = FlowPublisher.properties(kafka, "podflow-policies-" + settings.identity());
    // Unlike flow records, policies are few and must all arrive: sends may wait for Kafka.
    this.kafka.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "60000");
    this.kafka.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
  }

  private static ExecutorService daemonThreads(String name) {
    return Executors.newCachedThreadPool(DaemonThreads.named(name));
  }

  /**
   * Stands for election, after checking that the topic is compacted.
   *
   * @throws IllegalStateException when the topic is not compacted or this agent may not read its
   *     configuration (the message says how to fix it): the agent refuses to run. A topic that does
   *     not exist yet, or Kafka not answering within 10 seconds, does not stop it: agents may start
   *     before {@code podflow setup} ran, and the leader checks again before it publishes.
   */
  public PolicyPublisher start() {
    CompactedTopicCheck.Result topic = checkTopic(Duration.ofSeconds(10));
    switch (topic.state()) {
      case NOT_COMPACTED, NOT_AUTHORIZED ->
          throw new IllegalStateException("podflow agent will not start: " + topic.message());
      case MISSING, UNREACHABLE ->
          LOG.atWarn().log("{}; policies are published once it is there", topic.message());
      case COMPACTED -> {}
    }
    return stand();
  }

  private PolicyPublisher stand() {
    LeaderElector elector =
        new LeaderElectorBuilder(client, election)
            .withConfig(
                new LeaderElectionConfigBuilder()
                    .withName(settings.leaseName())
                    .withLock(
                        new LeaseLock(
                            settings.leaseNamespace(), settings.leaseName(), settings.identity()))
                    .withLeaseDuration(settings.leaseDuration())
                    .withRenewDeadline(settings.renewDeadline())
                    .withRetryPeriod(settings.retryPeriod())
                    .withReleaseOnCancel(true)
                    .withLeaderCallbacks(
                        new LeaderCallbacks(
                            () -> submit(this::leadOrStepBack),
                            () -> submit(this::follow),
                            this::newLeader))
                    .build())
            .build();
    elected = elector.start();
    // The elector ends when this agent loses the Lease (or cannot renew it, the API server away):
    // it stands again, so that some agent always publishes.
    CompletableFuture<?> mine = elected;
    mine.whenComplete(
        (r, e) -> {
          if (elected == mine) {
            submit(this::standAgain);
          }
        });
    return this;
  }

  /** Whether this agent publishes the policies now. */
  public boolean isLeader() {
    return leader;
  }

  /** Objects and tombstones published since this agent last became leader. */
  public long published() {
    return published;
  }

  /** Objects Kafka did not take (logged): each failure makes the leader publish all again. */
  public long failed() {
    return failed.get();
  }

  private void standAgain() {
    follow();
    try {
      Thread.sleep(settings.retryPeriod().toMillis());
    } catch (InterruptedException interrupted) {
      return;
    }
    if (!closed) {
      stand();
    }
  }

  @Override
  public void close() {
    closed = true;
    if (elected != null) {
      elected.cancel(true); // releases the Lease: another agent takes over at once
    }
    // The worker finishes what it is doing first (not shutdownNow: an interrupt would abort a
    // producer's close half-way), then what it may have started (informers, a producer) is
    // stopped: stepping down before that could leave an informer a lead in progress starts.
    worker.shutdown();
    try {
      if (!worker.awaitTermination(10, TimeUnit.SECONDS)) {
        worker.shutdownNow();
      }
    } catch (InterruptedException e) {
      worker.shutdownNow();
      Thread.currentThread().interrupt();
    }
    follow();
    election.shutdownNow();
  }

  /** Hands work to the worker; once closing, the worker takes nothing more (close steps down). */
  private void submit(Runnable work) {
    if (closed) {
      return;
    }
    try {
      worker.execute(work);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // close() stops the worker and steps down itself
    }
  }

  /** Leads; a failure (the API server or Kafka away) is logged and leadership handed back. */
  private void leadOrStepBack() {
    try {
      lead();
    } catch (TopicNotUsable e) {
      // Said once per pause, not at every election: the topic needs a person (or setup) first.
      LOG.atError().log("not publishing NetworkPolicies: {}", e.getMessage());
      pause(settings.retryPeriod().multipliedBy(10));
      follow();
      if (elected != null) {
        elected.cancel(true);
      }
    } catch (RuntimeException e) {
      LOG.atError().setCause(e).log("cannot publish NetworkPolicies: {}", e.toString());
      follow();
      if (elected != null) {
        elected.cancel(true); // another agent may do better; this one stands again
      }
    }
  }

  private void lead() {
    if (closed) {
      return;
    }
    // Checked before anything is sent: a broker that creates topics on first use would create it
    // deleting by age, and the policies would be lost to the processor once they age out.
    CompactedTopicCheck.Result topic = checkTopic(Duration.ofSeconds(30));
    if (!topic.compacted()) {
      throw new TopicNotUsable(topic.message());
    }
    LOG.atInfo().addKeyValue("identity", settings.identity()).log("publishing NetworkPolicies");
    synchronized (sendLock) {
      producer = new KafkaProducer<>(kafka);
    }
    published = 0;
    Set<String> inCluster = new HashSet<>();
    inform(client.network().v1().networkPolicies().inAnyNamespace().runnableInformer(0), inCluster);
    inform(client.namespaces().runnableInformer(0), inCluster);
    // What the topic holds for this cluster but the cluster no longer has: tombstones.
    for (String key : keysInTopic()) {
      synchronized (inCluster) {
        if (!inCluster.contains(key)) {
          send(key, null);
        }
      }
    }
    KafkaProducer<byte[], byte[]> p;
    synchronized (sendLock) {
      p = producer;
    }
    if (p != null) {
      p.flush();
    }
    leader = true;
  }

  private void follow() {
    leader = false;
    synchronized (informers) {
      informers.forEach(SharedIndexInformer::close);
      informers.clear();
    }
    KafkaProducer<byte[], byte[]> p;
    synchronized (sendLock) {
      p = producer;
      producer = null;
    }
    if (p != null) {
      // Stepping down because leadership was cancelled runs on an interrupted thread, and an
      // interrupt would abort the close half-way (records unflushed, an exception thrown):
      // close first, then keep the interrupt.
      boolean interrupted = Thread.interrupted();
      try {
        p.close(Duration.ofSeconds(5));
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private void newLeader(String identity) {
    LOG.atInfo().addKeyValue("leader", identity).log("policy publisher elected");
  }

  private <T extends HasMetadata> void inform(SharedIndexInformer<T> informer, Set<String> seen) {
    synchronized (informers) {
      informers.add(informer);
    }
    try {
      // Everything listed has been published before the topic is reconciled.
      Informers.startAndSync(
          informer,
          new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T obj) {
              synchronized (seen) {
                seen.add(key(obj));
              }
              send(key(obj), json(obj));
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
              send(key(newObj), json(newObj));
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
              send(key(obj), null);
            }
          },
          Informers.SYNC_TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void send(String key, byte[] value) {
    KafkaProducer<byte[], byte[]> p;
    synchronized (sendLock) {
      p = producer;
    }
    if (p == null) {
      return;
    }
    try {
      p.send(
          new ProducerRecord<>(settings.topic(), key.getBytes(StandardCharsets.UTF_8), value),
          (m, e) -> {
            if (e != null) {
              failed.incrementAndGet();
              LOG.atError()
                  .log("cannot publish {}: {}; publishing everything again", key, e.toString());
              resyncSoon();
            }
          });
      published++;
    } catch (RuntimeException e) {
      // The producer closed under us (leadership lost): the next leader publishes everything.
      LOG.atWarn().log("policy not published: {}", e.toString());
    }
  }

  /** After a lost send: publish everything again (once, however many sends failed). */
  private void resyncSoon() {
    if (!closed && resyncPending.compareAndSet(false, true)) {
      submit(
          () -> {
            resyncPending.set(false);
            if (leader) {
              follow();
              leadOrStepBack();
            }
          });
    }
  }

  private String key(HasMetadata object) {
    String namespace = object.getMetadata().getNamespace();
    return settings.cluster()
        + "/"
        + (namespace == null ? "" : namespace)
        + "/"
        + object.getMetadata().getName();
  }

  private byte[] json(HasMetadata object) {
    object.getMetadata().setManagedFields(null); // bookkeeping, not policy
    return client.getKubernetesSerialization().asJson(object).getBytes(StandardCharsets.UTF_8);
  }

  private CompactedTopicCheck.Result checkTopic(Duration timeout) {
    try (Admin admin =
        Admin.create(
            KafkaClientProperties.of(kafkaConfig.clientProperties())
                .adminConfig(kafkaConfig.bootstrapServers(), (int) timeout.toMillis()))) {
      return CompactedTopicCheck.check(
          admin, settings.topic(), kafkaConfig.bootstrapServers(), timeout);
    }
  }

  /** Waits, unless closing. */
  private void pause(Duration duration) {
    long deadline = System.nanoTime() + duration.toNanos();
    while (!closed && System.nanoTime() < deadline) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** The policies topic is missing, not compacted, or cannot be checked. */
  private static final class TopicNotUsable extends IllegalStateException {
    TopicNotUsable(String message) {
      super(message);
    }
  }

  /** Keys of this cluster that the topic holds a live value for (read to its end). */
  private Set<String> keysInTopic() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaConfig.bootstrapServers());
    p.putAll(kafkaConfig.clientProperties());
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    Map<String, Boolean> live = new HashMap<>();
    String prefix = settings.cluster() + "/";
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(settings.topic(), Duration.ofSeconds(30)).stream()
              .map(i -> new TopicPartition(i.topic(), i.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
          && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          String key = new String(r.key(), StandardCharsets.UTF_8);
          if (key.startsWith(prefix)) {
            live.put(key, r.value() != null);
          }
        }
      }
    }
    Set<String> keys = new HashSet<>();
    live.forEach(
        (k, alive) -> {
          if (alive) {
            keys.add(k);
          }
        });
    return keys;
  }
}
