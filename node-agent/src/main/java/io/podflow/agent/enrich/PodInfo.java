package io.podflow.agent.enrich;

import io.podflow.schema.flow.v1.KubernetesIdentity;
import java.util.Map;

/**
 * What the agent keeps of a pod: its identity as records carry it (built once, shared by every
 * record about the pod), when it existed, and its named container ports.
 *
 * @param createdNanos when the API server created the pod (its IP cannot be older)
 * @param deletedNanos when the agent saw it deleted, or {@link Long#MAX_VALUE}
 */
public record PodInfo(
    String uid,
    KubernetesIdentity identity,
    boolean hostNetwork,
    Map<String, Integer> namedPorts,
    long createdNanos,
    long deletedNanos) {

  PodInfo deletedAt(long nanos) {
    return new PodInfo(uid, identity, hostNetwork, namedPorts, createdNanos, nanos);
  }

  boolean alive() {
    return deletedNanos == Long.MAX_VALUE;
  }
}
