package io.podflow.agent.enrich;

import io.podflow.schema.flow.v1.EndpointKind;
import io.podflow.schema.flow.v1.KubernetesIdentity;

/**
 * A Service as a flow's endpoint: the service and the name of the port reached (empty when the port
 * has no name).
 */
public record ServicePort(String namespace, String name, String portName) {

  /** The identity a record carries for this Service's address (built anew: callers keep it). */
  KubernetesIdentity identity() {
    return KubernetesIdentity.newBuilder()
        .setKind(EndpointKind.ENDPOINT_KIND_SERVICE)
        .setNamespace(namespace)
        .setServiceName(name)
        .setServicePortName(portName)
        .build();
  }
}
