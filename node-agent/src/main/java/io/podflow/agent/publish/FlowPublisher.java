package io.podflow.agent.publish;

import io.podflow.schema.ConnectionKey;
import io.podflow.schema.flow.v1.FlowRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes flow records to Kafka without losing them when Kafka is slow or away.
 *
 * <p>The producer is idempotent with acks=all and never gives up on a record (no delivery timeout):
 * while Kafka is away, records wait in its bounded memory and are delivered, once each and in
 * order, when it is back. When that memory is full, records go to a bounded spool on disk instead,
 * and from then on every record goes there until a drainer thread has sent the spool's contents,
 * oldest first, behind what the producer still holds; so records of a connection stay in order. A
 * record the spool drops for room, or that Kafka refuses for good (too large, not authorised), is
 * counted. {@link #publish} never waits longer than {@code max.block.ms} (10 ms), once, when Kafka
 * stops taking records: the capture thread that calls it must not stall.
 */
public final class FlowPublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FlowPublisher.class);
  private static final int DRAIN_BATCH = 2_000;
  private static final int IN_FLIGHT = 50_000;
  private static final Duration RETRY = Duration.ofMillis(500);

  private final String topic;
  private final KafkaProducer<byte[], byte[]> producer;
  private final Properties adminProperties;

  /** Made by the drainer on first need, to tell "Kafka away" from "topic not authorized". */
  private Admin admin;

  private final Spool spool;
  private final Object lock = new Object();
  private final Thread drainer;
  private final SpoolSyncSchedule syncSchedule;
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong spooled = new AtomicLong();

  /** Guarded by {@link #lock}: new records go to the spool until it was drained. */
  private boolean spooling;

  private volatile boolean closing;

  public FlowPublisher(PublisherConfig config, String clientId) {
    this.topic = config.topic();
    this.spool =
        new Spool(
            config.spoolDir(),
            config.spoolBytes(),
            Math.min(16L << 20, config.spoolBytes() / 8),
            config.spoolFsync());
    // Records spooled before a restart are older than anything published now.
    this.spooling = !spool.isEmpty();
    this.producer = new KafkaProducer<>(properties(config, clientId));
    this.adminProperties = new Properties();
    adminProperties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    adminProperties.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId + "-authorization-check");
    adminProperties.putAll(config.clientProperties());
    // While Kafka is away the check runs every retry: its calls must not pile up.
    adminProperties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
    adminProperties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    this.syncSchedule = new SpoolSyncSchedule(spool::syncIfDue, SpoolSyncSchedule.EVERY);
    this.drainer = new Thread(this::drain, "podflow-spool-drainer");
    drainer.setDaemon(true);
    drainer.start();
  }

  /** The producer's settings (the policy publisher's too, which then lets sends wait). */
  public static Properties properties(PublisherConfig config, String clientId) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, config.compression());
    p.put(ProducerConfig.LINGER_MS_CONFIG, Long.toString(config.linger().toMillis()));
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 << 10));
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(config.bufferBytes()));
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.toString(Integer.MAX_VALUE));
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000");
    p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "2000");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.putAll(config.clientProperties());
    return p;
  }

  /** Hands a record over for publishing; returns at once (see the class comment). */
  public void publish(FlowRecord record) {
    byte[] key = ConnectionKey.of(record);
    byte[] value = record.toByteArray();
    synchronized (lock) {
      if (!spooling) {
        // A full producer memory, or no metadata within max.block.ms, fails the send at once,
        // through the callback and in this thread: delivered() then spools the record.
        producer.send(new ProducerRecord<>(topic, key, value), (m, e) -> delivered(e, key, value));
        return;
      }
      toSpool(key, value);
    }
  }

  /** Records Kafka acknowledged. */
  public long acknowledged() {
    return acknowledged.get();
  }

  /** Records Kafka refused for good (too large, not authorised): counted, not retried. */
  public long refused() {
    return refused.get();
  }

  /** Records that went through the spool. */
  public long spooled() {
    return spooled.get();
  }

  /** Records the spool lost: dropped when full, refused by the disk, or found damaged. */
  public long spoolDropped() {
    return spool.dropped();
  }

  /** Records found damaged in the spool and skipped (included in {@link #spoolDropped()}). */
  public long spoolDamaged() {
    return spool.damaged();
  }

  public long spoolBytes() {
    return spool.bytes();
  }

  public long spoolRecords() {
    return spool.records();
  }

  /** Seconds the oldest spooled record has waited (0 when the spool is empty). */
  public double spoolAgeSeconds() {
    return spool.oldestAgeMillis(System.currentTimeMillis()) / 1000.0;
  }

  /**
   * The producer's average request latency to Kafka in seconds (NaN before any): Prometheus' base
   * unit, while Kafka's client reports milliseconds.
   */
  public double requestLatencySeconds() {
    for (var e : producer.metrics().entrySet()) {
      if (e.getKey().name().equals("request-latency-avg")
          && e.getKey().group().equals("producer-metrics")) {
        Object v = e.getValue().metricValue();
        return v instanceof Double d ? d / 1000.0 : Double.NaN;
      }
    }
    return Double.NaN;
  }

  /**
   * Sends what is pending, waiting at most {@code timeout} for Kafka; what it could not take is
   * kept in the spool for the next start.
   */
  public void close(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      // The drainer sends what the spool holds while Kafka takes it, up to the timeout.
      while (System.nanoTime() < deadline && isSpooling()) {
        Thread.sleep(20);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closing = true;
    drainer.interrupt();
    try {
      drainer.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // Records still in the producer's memory fail when the timeout passes: they go to the spool.
    producer.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    if (admin != null) {
      admin.close(Duration.ZERO);
    }
    syncSchedule.close();
    try {
      spool.close();
    } catch (IOException e) {
      LOG.warn("cannot close the spool: {}", e.toString());
    }
  }

  private boolean isSpooling() {
    synchronized (lock) {
      return spooling;
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(10));
  }

  private void delivered(Exception e, byte[] key, byte[] value) {
    if (e == null) {
      acknowledged.incrementAndGet();
    } else if (closing || kafkaAway(e)) {
      synchronized (lock) {
        spooling = true; // from now on behind this record
        toSpool(key, value);
      }
    } else {
      refused.incrementAndGet();
      LOG.atWarn().log("Kafka refused a flow record: {}", e.toString());
    }
  }

  /** The producer could not take the record now (memory full, Kafka not reached): try later. */
  private static boolean kafkaAway(Throwable e) {
    return e instanceof org.apache.kafka.common.errors.TimeoutException
        || e instanceof org.apache.kafka.common.errors.RetriableException;
  }

  private void toSpool(byte[] key, byte[] value) {
    spool.append(
        ByteBuffer.allocate(2 + key.length + value.length)
            .putShort((short) key.length)
            .put(key)
            .put(value)
            .array());
    spooled.incrementAndGet();
  }

  /**
   * Sends the spool, oldest first, keeping up to {@link #IN_FLIGHT} records in flight and
   * committing them in order as Kafka acknowledges them (waiting for each batch would cap the drain
   * at one batch per round trip). Records handed to the producer are delivered, since it never
   * gives up; when it cannot take one (Kafka away), the rest waits in the spool. Every record
   * handed out is committed exactly once, whatever happens: a record that cannot be decoded is
   * counted as damaged and committed in its turn, and an error never makes the loop forget what it
   * has in flight (which would send those records again).
   */
  private void drain() {
    ArrayDeque<Future<RecordMetadata>> inFlight = new ArrayDeque<>();
    long generation = spool.generation();
    // The oldest records in flight whose segment the full spool dropped: counted when
    // acknowledged, never committed (the spool no longer has them).
    int orphans = 0;
    while (!closing) {
      boolean pending;
      synchronized (lock) {
        if (spooling && inFlight.isEmpty() && spool.isEmpty()) {
          spooling = false;
        }
        pending = spooling;
      }
      try {
        if (!pending) {
          Thread.sleep(50);
          continue;
        }
        if (spool.generation() != generation) {
          orphans = inFlight.size();
          generation = spool.generation();
        }
        int committed = 0;
        while (!inFlight.isEmpty() && inFlight.peekFirst().isDone()) {
          Future<RecordMetadata> f = inFlight.pollFirst();
          try {
            f.get();
            acknowledged.incrementAndGet();
          } catch (ExecutionException e) {
            if (e.getCause() instanceof DamagedRecord) {
              spool.countDamaged(1);
            } else {
              refused.incrementAndGet();
              LOG.atWarn().log("Kafka refused a spooled flow record: {}", e.getCause().toString());
            }
          }
          if (orphans > 0) {
            orphans--;
          } else {
            committed++;
          }
        }
        spool.commit(generation, committed);
        boolean away = false;
        int sent = 0;
        int holding = inFlight.size() - orphans;
        if (holding < IN_FLIGHT) {
          for (byte[] frame : spool.peek(generation, holding, DRAIN_BATCH)) {
            ProducerRecord<byte[], byte[]> record = toRecord(frame);
            Future<RecordMetadata> f =
                record == null ? DamagedRecord.FUTURE : producer.send(record);
            if (f.isDone() && failedBecauseKafkaIsAway(f)) {
              away = true; // this one and the rest stay in the spool
              break;
            }
            inFlight.addLast(f);
            sent++;
          }
        }
        if (away && inFlight.isEmpty()) {
          Throwable refusal = topicRefusal();
          if (refusal != null) {
            refuseSpooledBatch(refusal);
            continue;
          }
          Thread.sleep(RETRY.toMillis());
        } else if (sent == 0 && committed == 0) {
          Thread.sleep(2);
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // The spool's disk failing: say so, wait, try again, keeping what is in flight (it is
        // committed as it is acknowledged); never die, or every later record would wait for good.
        LOG.atError().setCause(e).log("cannot send the spool: {}", e.toString());
        try {
          Thread.sleep(RETRY.toMillis());
        } catch (InterruptedException interrupted) {
          return;
        }
      }
    }
  }

  /**
   * Why the broker refuses this client the topic itself (authentication or authorization), or null.
   * A producer without Describe on its topic never gets its metadata, so its sends time out (within
   * max.block.ms) just as when Kafka is away, and only rarely show the authorization error; left
   * alone, such records would wait in the spool for good, holding back every later one. An admin
   * request answers plainly.
   */
  private Throwable topicRefusal() {
    try {
      if (admin == null) {
        admin = Admin.create(adminProperties);
      }
      admin.describeTopics(List.of(topic)).allTopicNames().get(5, TimeUnit.SECONDS);
      return null;
    } catch (ExecutionException e) {
      return e.getCause() instanceof AuthorizationException
              || e.getCause() instanceof AuthenticationException
          ? e.getCause()
          : null;
    } catch (java.util.concurrent.TimeoutException | KafkaException e) {
      return null; // away after all, or the check itself cannot be made: keep waiting
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The oldest spooled records are refused for good: counted, logged, removed from the spool. */
  private void refuseSpooledBatch(Throwable refusal) {
    int n = spool.peek(0, DRAIN_BATCH).size();
    spool.commit(n);
    refused.addAndGet(n);
    LOG.atError()
        .log(
            "Kafka refuses this agent topic {} ({}): {} flow records refused for good (see"
                + " podflow_kafka_refused); check the agent's user and ACLs",
            topic,
            refusal.toString(),
            n);
  }

  /** The spooled frame as a record, or null when it is not a frame (damage the checksum missed). */
  private ProducerRecord<byte[], byte[]> toRecord(byte[] frame) {
    if (frame.length < 2) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(frame);
    int keyLength = b.getShort() & 0xffff;
    if (keyLength > b.remaining()) {
      return null;
    }
    byte[] key = new byte[keyLength];
    b.get(key);
    byte[] value = new byte[b.remaining()];
    b.get(value);
    return new ProducerRecord<>(topic, key, value);
  }

  /** A spooled record that could not be decoded: stands in the in-flight queue for its commit. */
  private static final class DamagedRecord extends RuntimeException {
    static final Future<RecordMetadata> FUTURE =
        CompletableFuture.failedFuture(new DamagedRecord());

    private DamagedRecord() {
      super("a spooled record that is not a frame", null, false, false);
    }
  }

  private static boolean failedBecauseKafkaIsAway(Future<RecordMetadata> f)
      throws InterruptedException {
    try {
      f.get();
      return false;
    } catch (ExecutionException e) {
      return kafkaAway(e.getCause());
    }
  }
}
