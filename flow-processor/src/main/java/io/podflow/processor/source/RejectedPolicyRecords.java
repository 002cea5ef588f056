package io.podflow.processor.source;

import io.podflow.processor.policy.manifest.PublishedPolicies;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The records of the policy topic the job cannot use: with no key, a key not of the form {@code
 * cluster/namespace/name}, or an object that cannot be read. Flows are then judged without that
 * object, so each such record is logged with its key and reason and counted as it is read, and the
 * keys whose latest record was rejected are kept until a readable record or a tombstone replaces
 * it: how many policies are unreadable now.
 *
 * <p>Each source reader keeps its own: Kafka sends a key's records to one partition, so one reader.
 */
final class RejectedPolicyRecords {
  private static final Logger LOG = LoggerFactory.getLogger(RejectedPolicyRecords.class);

  private static final int MAX_SHOWN = 300;

  private final Counter rejected;

  /** Read by the metrics reporter's thread while the reader's thread changes it. */
  private final Set<String> unreadable = ConcurrentHashMap.newKeySet();

  RejectedPolicyRecords(Counter rejected) {
    this.rejected = rejected;
  }

  /**
   * Whether the record goes on to the job: false when it names nothing (no key, or a key of another
   * form). A record whose object cannot be read goes on, so the object it replaces is left out too.
   */
  boolean accept(String key, byte[] value, String where) {
    if (key == null) {
      reject(null, "a record without a key names no object", where);
      return false;
    }
    String reason =
        PublishedPolicies.clusterOf(key) == null
            ? "the key is not of the form cluster/namespace/name"
            : PublishedPolicies.unreadable(key, value);
    if (reason == null || value == null) {
      unreadable.remove(key);
    } else {
      unreadable.add(key);
      reject(key, reason, where);
    }
    return PublishedPolicies.clusterOf(key) != null;
  }

  /** Keys whose latest record could not be used. */
  int unreadable() {
    return unreadable.size();
  }

  private void reject(String key, String reason, String where) {
    rejected.inc();
    LOG.warn(
        "policy record {} at {} is left out of its cluster's policies: {}",
        shown(key),
        where,
        shown(reason));
  }

  /**
   * The key and reason come from the record: one line each, control characters replaced and cut
   * short, so a record cannot forge or flood log lines.
   */
  static String shown(String text) {
    if (text == null) {
      return null;
    }
    String cut = text.length() > MAX_SHOWN ? text.substring(0, MAX_SHOWN) + "..." : text;
    StringBuilder b = new StringBuilder(cut.length());
    cut.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
    return b.toString();
  }
}
